import { createParser, type EventSourceParser } from 'eventsource-parser';
import type { CanonicalEvent, CanonicalResponse, Usage } from '../../canonical/canonical-event';
import type { GatewayError } from '../../errors/gateway-error';
import type { OpenAIChunk, OpenAIToolCallDelta } from './openai-wire';
import { mapFinishReason, mapUsage } from './response-parser';
import { invalidResponse, payloadError, type ErrorContext } from './upstream-errors';

interface ToolCallState {
  /** Canonical index, -1 until the call's name is known and tool_call_start was emitted. */
  index: number;
  id?: string;
  name?: string;
  buffered: string;
}

/**
 * Turns an OpenAI chat SSE body into canonical events. Feed it text as it arrives; each call returns the events
 * that text completed. Order follows the upstream: message_start on the first chunk, deltas, message_stop when
 * `finish_reason` arrives, usage when the usage chunk arrives. If the stream ends ([DONE] or EOF after a finish
 * reason) without a usage chunk, a usage event with whatever is known (zeros) is emitted: nothing is estimated.
 * EOF before any finish reason or [DONE] is an error (the upstream dropped the stream).
 */
export class ChatStreamDecoder {
  /** Set when [DONE] arrived: later bytes are ignored. */
  done = false;
  /** Set when an error event was produced: nothing follows it. */
  failed = false;
  private readonly parser: EventSourceParser;
  private out: CanonicalEvent[] = [];
  private started = false;
  private stopSent = false;
  private usageSent = false;
  private usage: Usage = { inputTokens: 0, outputTokens: 0 };
  private readonly calls = new Map<number, ToolCallState>();
  private nextIndex = 0;

  constructor(
    private readonly ctx: ErrorContext,
    private readonly fallbackModel: string,
    private readonly requestId: string,
  ) {
    this.parser = createParser({ onEvent: (ev) => this.onData(ev.data) });
  }

  feed(text: string): CanonicalEvent[] {
    if (!this.done && !this.failed) this.parser.feed(text);
    return this.drain();
  }

  /** The body ended. */
  end(): CanonicalEvent[] {
    if (!this.done && !this.failed) {
      if (this.stopSent) this.finish();
      else this.fail(invalidResponse(this.ctx, 'the stream ended before a finish reason or [DONE]'));
    }
    return this.drain();
  }

  private drain(): CanonicalEvent[] {
    const events = this.out;
    this.out = [];
    return events;
  }

  private fail(error: GatewayError): void {
    this.out.push({ type: 'error', error });
    this.failed = true;
  }

  private onData(data: string): void {
    if (this.done || this.failed) return;
    if (data === '[DONE]') return this.finish();
    if (data.trim() === '') return;
    let chunk: OpenAIChunk;
    try {
      chunk = JSON.parse(data) as OpenAIChunk;
    } catch {
      return this.fail(invalidResponse(this.ctx, 'a stream event is not JSON'));
    }
    if (chunk === null || typeof chunk !== 'object') return this.fail(invalidResponse(this.ctx, 'a stream event is not an object'));
    if (chunk.error) return this.fail(payloadError(chunk.error, this.ctx));
    if (!this.started) {
      this.started = true;
      const model = typeof chunk.model === 'string' && chunk.model !== '' ? chunk.model : this.fallbackModel;
      this.out.push({ type: 'message_start', upstreamModel: model });
    }
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    for (const choice of choices) {
      if ((choice.index ?? 0) !== 0) continue;
      const delta = choice.delta;
      if (delta) {
        if (typeof delta.content === 'string' && delta.content !== '') this.out.push({ type: 'text_delta', text: delta.content });
        if (Array.isArray(delta.tool_calls)) delta.tool_calls.forEach((tc, pos) => this.onToolCall(tc, pos));
      }
      if (choice.finish_reason && !this.stopSent) {
        this.flushPendingCalls();
        const finish = mapFinishReason(choice.finish_reason, choice.stop_reason, this.nextIndex > 0);
        this.out.push({ type: 'message_stop', ...finish });
        this.stopSent = true;
      }
    }
    if (chunk.usage && !this.usageSent) {
      this.usage = mapUsage(chunk.usage);
      this.out.push({ type: 'usage', usage: this.usage });
      this.usageSent = true;
    }
  }

  private onToolCall(delta: OpenAIToolCallDelta, position: number): void {
    const key = typeof delta.index === 'number' ? delta.index : position;
    let call = this.calls.get(key);
    if (!call) {
      call = { index: -1, buffered: '' };
      this.calls.set(key, call);
    }
    if (delta.id && call.id === undefined) call.id = delta.id;
    if (delta.function?.name && call.name === undefined) call.name = delta.function.name;
    const args = delta.function?.arguments ?? '';
    if (call.index < 0) {
      call.buffered += args;
      if (call.name !== undefined) this.startCall(call);
    } else if (args !== '') {
      this.out.push({ type: 'tool_call_delta', index: call.index, argumentsDelta: args });
    }
  }

  private startCall(call: ToolCallState): void {
    call.index = this.nextIndex++;
    const id = call.id ?? `call_${this.requestId}_${call.index}`;
    this.out.push({ type: 'tool_call_start', index: call.index, id, name: call.name ?? '' });
    if (call.buffered !== '') this.out.push({ type: 'tool_call_delta', index: call.index, argumentsDelta: call.buffered });
    call.buffered = '';
  }

  private flushPendingCalls(): void {
    for (const call of this.calls.values()) if (call.index < 0) this.startCall(call);
  }

  private finish(): void {
    if (!this.started) {
      this.started = true;
      this.out.push({ type: 'message_start', upstreamModel: this.fallbackModel });
    }
    if (!this.stopSent) {
      this.flushPendingCalls();
      this.out.push({ type: 'message_stop', finishReason: this.nextIndex > 0 ? 'tool_use' : 'end_turn' });
      this.stopSent = true;
    }
    if (!this.usageSent) {
      this.out.push({ type: 'usage', usage: this.usage });
      this.usageSent = true;
    }
    this.done = true;
  }
}

/** A whole (non-streamed) response as the equivalent event stream, for upstreams that ignore `stream: true`. */
export function responseToEvents(res: CanonicalResponse): CanonicalEvent[] {
  const events: CanonicalEvent[] = [{ type: 'message_start', upstreamModel: res.upstreamModel }];
  for (const r of res.reasoning ?? []) {
    if (r.type === 'redacted_reasoning') events.push({ type: 'redacted_reasoning', data: r.data });
    else {
      events.push({ type: 'reasoning_start' });
      if (r.text !== '') events.push({ type: 'reasoning_delta', text: r.text });
      if (r.signature !== undefined) events.push({ type: 'reasoning_signature', signature: r.signature });
    }
  }
  if (res.text !== '') events.push({ type: 'text_delta', text: res.text });
  res.toolCalls.forEach((call, index) => {
    events.push({ type: 'tool_call_start', index, id: call.id, name: call.name });
    if (call.arguments !== '') events.push({ type: 'tool_call_delta', index, argumentsDelta: call.arguments });
  });
  events.push({ type: 'usage', usage: res.usage });
  events.push({ type: 'message_stop', finishReason: res.finishReason, stopSequence: res.stopSequence });
  return events;
}
