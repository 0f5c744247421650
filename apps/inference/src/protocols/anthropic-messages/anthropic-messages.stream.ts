import type { CanonicalEvent, Charge, Usage } from '@gw/inference';
import { anthropicErrorType } from '../shared/error-envelope';
import type { StreamEncoder } from '../shared/protocol-handler';
import { chargeFields } from '../openai-chat/openai-chat.response.mapper';
import { stopReason, wireUsage, type AnthropicStopReason } from './anthropic-messages.response.mapper';

export interface MessagesStreamOptions {
  /** `msg_…` id, shared by message_start and nothing else (Anthropic repeats it nowhere). */
  id: string;
  /** The model name the caller asked for. */
  model: string;
}

/** Anthropic's keep-alive; the SDK skips `event: ping` frames. */
export const PING_FRAME = 'event: ping\ndata: {"type":"ping"}\n\n';

type BlockKind = 'text' | 'tool_use' | 'thinking' | 'redacted_thinking';

/** Every frame carries an `event:` line: the SDK silently drops frames without one. */
const frame = (type: string, data: Record<string, unknown> = {}): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

/**
 * Canonical events → Anthropic Messages SSE: message_start, ping, then content blocks one after the
 * other (the SDK appends a block on each content_block_start, so indexes must be 0, 1, 2… in order,
 * and a block is closed before the next opens), then message_delta (stop reason, the final usage, and
 * the credit fields at its top level) and message_stop; a failure mid-way ends with `event: error` carrying
 * the usage and credit fields of what was generated. Reasoning becomes thinking blocks exactly as
 * Anthropic streams them (start with empty thinking and signature, thinking_delta, signature_delta), so
 * the client can send them back signed. Pure and synchronous per event.
 */
export class MessagesStreamEncoder implements StreamEncoder {
  private started = false;
  private ended = false;
  private nextBlock = 0;
  /** The block open now; text (reasoning) deltas reuse an open text (thinking) block, anything else closes it. */
  private open: { index: number; kind: BlockKind } | null = null;
  /** Whether a text or tool_use block went out: a message without one gets an empty text block at the end. */
  private answered = false;
  /** Canonical tool call index → content block index. */
  private readonly toolBlocks = new Map<number, number>();
  private usage: Usage = { inputTokens: 0, outputTokens: 0 };
  private stop: { reason: AnthropicStopReason; sequence: string | null } = { reason: 'end_turn', sequence: null };
  private charge: Charge | undefined;

  constructor(private readonly opts: MessagesStreamOptions) {}

  /** message_start (+ ping) once, before anything else; also covers a provider that skipped it. */
  private start(inputTokens?: number): string {
    if (this.started) return '';
    this.started = true;
    if (inputTokens !== undefined) this.usage = { ...this.usage, inputTokens };
    const message = {
      id: this.opts.id,
      type: 'message',
      role: 'assistant',
      model: this.opts.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // output_tokens 1 as Anthropic sends it; message_delta carries the real, cumulative count.
      usage: { input_tokens: this.usage.inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 },
    };
    return frame('message_start', { message }) + PING_FRAME;
  }

  private close(): string {
    if (!this.open) return '';
    const out = frame('content_block_stop', { index: this.open.index });
    this.open = null;
    return out;
  }

  private openBlock(kind: BlockKind, contentBlock: Record<string, unknown>): { index: number; frames: string } {
    const frames = this.close();
    const index = this.nextBlock++;
    this.open = { index, kind };
    if (kind === 'text' || kind === 'tool_use') this.answered = true;
    return { index, frames: frames + frame('content_block_start', { index, content_block: contentBlock }) };
  }

  private delta(index: number, delta: Record<string, unknown>): string {
    return frame('content_block_delta', { index, delta });
  }

  /** Frames for one event (possibly none). */
  encode(ev: CanonicalEvent): string {
    if (this.ended) return '';
    switch (ev.type) {
      case 'message_start':
        return this.start(ev.inputTokens);
      case 'text_delta': {
        if (!ev.text) return '';
        let out = this.start();
        let index = this.open?.kind === 'text' ? this.open.index : undefined;
        if (index === undefined) {
          const block = this.openBlock('text', { type: 'text', text: '' });
          out += block.frames;
          index = block.index;
        }
        return out + this.delta(index, { type: 'text_delta', text: ev.text });
      }
      case 'reasoning_start':
        return this.start() + this.openBlock('thinking', { type: 'thinking', thinking: '', signature: '' }).frames;
      case 'reasoning_delta': {
        if (!ev.text) return '';
        let out = this.start();
        if (this.open?.kind !== 'thinking') out += this.encode({ type: 'reasoning_start' });
        return out + this.delta(this.open!.index, { type: 'thinking_delta', thinking: ev.text });
      }
      case 'reasoning_signature':
        // A signature after its block was closed has nowhere to go (providers send it before closing).
        return this.open?.kind === 'thinking' ? this.delta(this.open.index, { type: 'signature_delta', signature: ev.signature }) : '';
      case 'redacted_reasoning': {
        // Arrives whole, as Anthropic sends it: in content_block_start, with no deltas.
        const head = this.start();
        return head + this.openBlock('redacted_thinking', { type: 'redacted_thinking', data: ev.data }).frames + this.close();
      }
      case 'tool_call_start': {
        const head = this.start();
        const { index, frames } = this.openBlock('tool_use', { type: 'tool_use', id: ev.id, name: ev.name, input: {} });
        this.toolBlocks.set(ev.index, index);
        return head + frames;
      }
      case 'tool_call_delta': {
        const index = this.toolBlocks.get(ev.index);
        // A delta for a call that never started has no block to land in. One for a call whose block
        // was already closed (interleaved parallel calls) still names its own block: the SDK appends
        // it there by index, which is the best that can be done once content_block_stop went out.
        if (index === undefined || !ev.argumentsDelta) return '';
        return this.delta(index, { type: 'input_json_delta', partial_json: ev.argumentsDelta });
      }
      case 'usage':
        this.usage = ev.usage;
        return '';
      case 'message_stop':
        this.stop = { reason: stopReason(ev.finishReason), sequence: ev.finishReason === 'stop_sequence' ? (ev.stopSequence ?? null) : null };
        return '';
      case 'metering':
        this.charge = ev.charge;
        if (ev.usage) this.usage = ev.usage;
        return '';
      case 'error': {
        // Anthropic ends a failed stream with the error event alone; the SDK raises APIError of `error.type` and keeps
        // the whole body as `error`, so the usage and charge of what was generated, beside `error`, reach the caller.
        this.ended = true;
        const billed = this.charge ? { usage: wireUsage(this.usage), ...chargeFields(this.charge) } : {};
        return frame('error', { error: { type: anthropicErrorType(ev.error), message: ev.error.message }, ...billed });
      }
    }
  }

  /** Closing frames once the event stream ended normally: last block stop, message_delta, message_stop. */
  finish(): string {
    if (this.ended) return '';
    this.ended = true;
    let out = this.start() + this.close();
    // No answer at all (none, or only thinking): one empty text block, so the message has the shape clients
    // expect (the SDK's finalText() throws on a message without a text block; clients read the text block).
    if (!this.answered) {
      const index = this.nextBlock++;
      out += frame('content_block_start', { index, content_block: { type: 'text', text: '' } });
      out += frame('content_block_stop', { index });
    }
    const delta = {
      delta: { stop_reason: this.stop.reason, stop_sequence: this.stop.sequence },
      usage: wireUsage(this.usage),
      ...(this.charge ? chargeFields(this.charge) : {}),
    };
    return out + frame('message_delta', delta) + frame('message_stop');
  }
}
