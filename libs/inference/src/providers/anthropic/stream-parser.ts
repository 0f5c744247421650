import { createParser, type EventSourceParser } from 'eventsource-parser';
import type { CanonicalEvent, FinishReason } from '../../canonical/canonical-event';
import type { GatewayError } from '../../errors/gateway-error';
import { invalidResponse, type ErrorContext } from '../openai-compatible/upstream-errors';
import { anthropicPayloadError } from './anthropic-errors';
import type { AnthropicResponseBlock, AnthropicStreamEvent, AnthropicUsage } from './anthropic-wire';
import { mapStopReason, mapUsage } from './response-parser';

interface BlockState {
  kind: 'text' | 'tool' | 'thinking' | 'skip';
  /** Canonical tool call index (tool blocks only). */
  tool: number;
  /** Arguments some servers put whole into `content_block_start.input` instead of streaming them. */
  startInput?: string;
  streamedJson: boolean;
}

const USAGE_FIELDS = ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const;

/**
 * Turns an Anthropic Messages SSE body into canonical events. Feed it text as it arrives; each call returns the
 * events that text completed. `message_start` carries the input tokens; text and `tool_use` blocks become text and
 * tool call events (tool calls numbered in the order they open, whatever their block index); thinking blocks become
 * reasoning events (start, text, signature) and redacted thinking one redacted_reasoning event, so a caller can send
 * them back as Anthropic requires; server-tool blocks are skipped; usage (message_start's counts updated by message_delta's cumulative
 * ones) and message_stop are emitted when `message_stop` arrives, or at EOF after a `message_delta` with a stop
 * reason. An `error` event, or EOF before that, yields one error event.
 */
export class MessagesStreamDecoder {
  /** Set when message_stop arrived: later bytes are ignored. */
  done = false;
  /** Set when an error event was produced: nothing follows it. */
  failed = false;
  private readonly parser: EventSourceParser;
  private out: CanonicalEvent[] = [];
  private started = false;
  private usage: AnthropicUsage = {};
  private stop?: { finishReason: FinishReason; stopSequence?: string };
  private readonly blocks = new Map<number, BlockState>();
  private nextTool = 0;

  constructor(
    private readonly ctx: ErrorContext,
    private readonly fallbackModel: string,
    private readonly requestId: string,
  ) {
    this.parser = createParser({ onEvent: (ev) => this.onEvent(ev.event, ev.data) });
  }

  feed(text: string): CanonicalEvent[] {
    if (!this.done && !this.failed) this.parser.feed(text);
    return this.drain();
  }

  /** The body ended. */
  end(): CanonicalEvent[] {
    if (!this.done && !this.failed) {
      if (this.stop) this.finish();
      else this.fail(invalidResponse(this.ctx, 'the stream ended before message_stop'));
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

  private onEvent(name: string | undefined, data: string): void {
    if (this.done || this.failed || data.trim() === '') return;
    let ev: AnthropicStreamEvent;
    try {
      ev = JSON.parse(data) as AnthropicStreamEvent;
    } catch {
      return this.fail(invalidResponse(this.ctx, 'a stream event is not JSON'));
    }
    if (ev === null || typeof ev !== 'object') return this.fail(invalidResponse(this.ctx, 'a stream event is not an object'));
    // Clients dispatch on `data.type`; the SSE event name only decides for `error` frames.
    const type = name === 'error' ? 'error' : (ev.type ?? name);
    switch (type) {
      case 'error':
        return this.fail(anthropicPayloadError(ev.error, this.ctx));
      case 'message_start':
        return this.start(ev);
      case 'content_block_start':
        this.start();
        return this.blockStart(ev.index ?? 0, ev.content_block ?? {});
      case 'content_block_delta':
        this.start();
        return this.blockDelta(ev);
      case 'content_block_stop':
        return this.blockStop(ev.index ?? 0);
      case 'message_delta':
        this.start();
        this.addUsage(ev.usage);
        if (ev.delta?.stop_reason !== undefined) this.stop = mapStopReason(ev.delta.stop_reason, ev.delta.stop_sequence, this.nextTool > 0);
        return;
      case 'message_stop':
        return this.finish();
      case undefined:
      default:
        return; // `ping` and event types newer than this code
    }
  }

  private start(ev?: AnthropicStreamEvent): void {
    if (this.started) return;
    this.started = true;
    this.addUsage(ev?.message?.usage);
    const model = typeof ev?.message?.model === 'string' && ev.message.model !== '' ? ev.message.model : this.fallbackModel;
    const hasInput = USAGE_FIELDS.some((f) => f !== 'output_tokens' && typeof this.usage[f] === 'number');
    this.out.push({ type: 'message_start', upstreamModel: model, ...(hasInput && { inputTokens: mapUsage(this.usage).inputTokens }) });
  }

  private addUsage(u: AnthropicUsage | null | undefined): void {
    if (!u) return;
    for (const f of USAGE_FIELDS) if (typeof u[f] === 'number') this.usage[f] = u[f];
  }

  private blockStart(index: number, block: AnthropicResponseBlock): void {
    if (block.type === 'text') {
      this.blocks.set(index, { kind: 'text', tool: -1, streamedJson: false });
      if (typeof block.text === 'string' && block.text !== '') this.out.push({ type: 'text_delta', text: block.text });
    } else if (block.type === 'tool_use') {
      const tool = this.nextTool++;
      const input = block.input && typeof block.input === 'object' && Object.keys(block.input).length > 0 ? JSON.stringify(block.input) : undefined;
      this.blocks.set(index, { kind: 'tool', tool, startInput: input, streamedJson: false });
      const id = typeof block.id === 'string' && block.id !== '' ? block.id : `toolu_${this.requestId}_${tool}`;
      this.out.push({ type: 'tool_call_start', index: tool, id, name: typeof block.name === 'string' ? block.name : '' });
    } else if (block.type === 'thinking') {
      this.blocks.set(index, { kind: 'thinking', tool: -1, streamedJson: false });
      this.out.push({ type: 'reasoning_start' });
      // Anthropic starts it empty and streams both; a server that sends them whole here is read the same way.
      if (typeof block.thinking === 'string' && block.thinking !== '') this.out.push({ type: 'reasoning_delta', text: block.thinking });
      if (typeof block.signature === 'string' && block.signature !== '') this.out.push({ type: 'reasoning_signature', signature: block.signature });
    } else {
      // redacted_thinking arrives whole in its start event; it has no deltas.
      if (block.type === 'redacted_thinking' && typeof block.data === 'string') this.out.push({ type: 'redacted_reasoning', data: block.data });
      this.blocks.set(index, { kind: 'skip', tool: -1, streamedJson: false });
    }
  }

  private blockDelta(ev: AnthropicStreamEvent): void {
    const block = this.blocks.get(ev.index ?? 0);
    const delta = ev.delta;
    if (delta?.type === 'text_delta' && typeof delta.text === 'string' && delta.text !== '' && block?.kind !== 'skip' && block?.kind !== 'thinking') {
      this.out.push({ type: 'text_delta', text: delta.text });
    } else if (delta?.type === 'input_json_delta' && block?.kind === 'tool' && typeof delta.partial_json === 'string') {
      block.streamedJson = true;
      if (delta.partial_json !== '') this.out.push({ type: 'tool_call_delta', index: block.tool, argumentsDelta: delta.partial_json });
    } else if (delta?.type === 'thinking_delta' && block?.kind === 'thinking' && typeof delta.thinking === 'string' && delta.thinking !== '') {
      this.out.push({ type: 'reasoning_delta', text: delta.thinking });
    } else if (delta?.type === 'signature_delta' && block?.kind === 'thinking' && typeof delta.signature === 'string') {
      this.out.push({ type: 'reasoning_signature', signature: delta.signature });
    }
    // citations_delta: not modelled.
  }

  private blockStop(index: number): void {
    const block = this.blocks.get(index);
    if (block?.kind === 'tool' && !block.streamedJson && block.startInput !== undefined) {
      this.out.push({ type: 'tool_call_delta', index: block.tool, argumentsDelta: block.startInput });
    }
    this.blocks.delete(index);
  }

  private finish(): void {
    this.start();
    for (const index of [...this.blocks.keys()]) this.blockStop(index);
    this.out.push({ type: 'usage', usage: mapUsage(this.usage) });
    this.out.push({ type: 'message_stop', ...(this.stop ?? mapStopReason(undefined, undefined, this.nextTool > 0)) });
    this.done = true;
  }
}
