import type { CanonicalEvent, Charge, FinishReason, GatewayError, Usage } from '@gw/inference';
import type { StreamEncoder } from '../shared/protocol-handler';
import { newId } from '../shared/ids';
import {
  outputText,
  responseBody,
  statusOf,
  type FunctionCallItem,
  type IdFactory,
  type ItemStatus,
  type MessageItem,
  type OutputItem,
  type ResponseEcho,
  type ResponseObject,
} from './openai-responses.response.mapper';

export interface ResponsesStreamOptions {
  echo: ResponseEcho;
  ids?: IdFactory;
}

interface Slot {
  item: OutputItem;
  open: boolean;
}

/**
 * Canonical events → Responses SSE (`event: <type>` + `data: {type, sequence_number, …}`). Pure and
 * synchronous per event so it can be snapshot-tested. Follows the client-conformance "Gateway rules":
 * `response.created` first; every item gets `output_item.added` (and a message its
 * `content_part.added`) before deltas and every `*.done` event after; `response.completed` (or
 * `response.incomplete`) carries the full output, usage and credit fields, because clients replace
 * their snapshot with it and Codex reads answers only from `output_item.done`.
 */
export class ResponsesStreamEncoder implements StreamEncoder {
  private readonly ids: IdFactory;
  private seq = 0;
  private started = false;
  private readonly slots: Slot[] = [];
  /** Output index of the message item taking text deltas, if one is open. */
  private textAt: number | null = null;
  /** Canonical tool-call index → output index. */
  private readonly calls = new Map<number, number>();
  private usage: Usage = { inputTokens: 0, outputTokens: 0 };
  private finishReason: FinishReason = 'end_turn';
  private charge: Charge | undefined;
  private final: ResponseObject | undefined;
  /** `sequence_number` before the closing frames, which are not written if the `afterResponse` hook fails. */
  private seqBeforeTail = 0;
  private ended = false;

  constructor(private readonly opts: ResponsesStreamOptions) {
    this.ids = opts.ids ?? newId;
  }

  private frame(type: string, fields: Record<string, unknown>): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.seq++, ...fields })}\n\n`;
  }

  private begin(): string {
    if (this.started) return '';
    this.started = true;
    const response = responseBody(this.opts.echo, { status: 'in_progress', output: [], usage: null });
    return this.frame('response.created', { response }) + this.frame('response.in_progress', { response });
  }

  private add(item: OutputItem): string {
    this.slots.push({ item, open: true });
    return this.frame('response.output_item.added', { output_index: this.slots.length - 1, item });
  }

  private openText(): string {
    const item: MessageItem = { id: this.ids('msg_'), type: 'message', status: 'in_progress', role: 'assistant', content: [] };
    let out = this.add(item);
    this.textAt = this.slots.length - 1;
    out += this.frame('response.content_part.added', { item_id: item.id, output_index: this.textAt, content_index: 0, part: outputText('') });
    item.content = [outputText('')];
    return out;
  }

  /** The `*.done` events of one open item, which takes its final `status`. */
  private close(at: number, status: ItemStatus): string {
    const slot = this.slots[at];
    slot.open = false;
    const { item } = slot;
    item.status = status;
    const ref = { item_id: item.id, output_index: at };
    let out: string;
    if (item.type === 'message') {
      if (this.textAt === at) this.textAt = null;
      const part = item.content[0];
      out =
        this.frame('response.output_text.done', { ...ref, content_index: 0, text: part.text, logprobs: [] }) +
        this.frame('response.content_part.done', { ...ref, content_index: 0, part });
    } else {
      out = this.frame('response.function_call_arguments.done', { ...ref, name: item.name, arguments: item.arguments });
    }
    return out + this.frame('response.output_item.done', { output_index: at, item });
  }

  encode(ev: CanonicalEvent): string {
    if (this.ended) return '';
    if (ev.type === 'error') return this.fail(ev.error);
    if (this.final) return ''; // nothing but a hook failure is expected after finish()
    let out = this.begin();
    switch (ev.type) {
      case 'message_start':
        if (ev.inputTokens !== undefined) this.usage = { ...this.usage, inputTokens: ev.inputTokens };
        return out;
      case 'text_delta': {
        if (!ev.text) return out;
        if (this.textAt === null) out += this.openText();
        const item = this.slots[this.textAt!].item as MessageItem;
        item.content[0].text += ev.text;
        return out + this.frame('response.output_text.delta', { item_id: item.id, output_index: this.textAt, content_index: 0, delta: ev.text, logprobs: [] });
      }
      case 'tool_call_start': {
        // Text ends where a call begins; calls stay open until the end (their deltas are routed by index).
        if (this.textAt !== null) out += this.close(this.textAt, 'completed');
        const item: FunctionCallItem = { id: this.ids('fc_'), type: 'function_call', status: 'in_progress', call_id: ev.id, name: ev.name, arguments: '' };
        out += this.add(item);
        this.calls.set(ev.index, this.slots.length - 1);
        return out;
      }
      case 'tool_call_delta': {
        const at = this.calls.get(ev.index);
        const slot = at === undefined ? undefined : this.slots[at];
        if (!slot?.open || slot.item.type !== 'function_call' || !ev.argumentsDelta) return out;
        slot.item.arguments += ev.argumentsDelta;
        return out + this.frame('response.function_call_arguments.delta', { item_id: slot.item.id, output_index: at, delta: ev.argumentsDelta });
      }
      // Anthropic thinking is not mapped onto Responses reasoning items (its signature is Anthropic's alone).
      case 'reasoning_start':
      case 'reasoning_delta':
      case 'reasoning_signature':
      case 'redacted_reasoning':
        return out;
      case 'usage':
        this.usage = ev.usage;
        return out;
      case 'message_stop':
        this.finishReason = ev.finishReason;
        return out;
      case 'metering':
        this.charge = ev.charge;
        if (ev.usage) this.usage = ev.usage;
        return out;
    }
  }

  /**
   * `response.failed` with what was produced so far, then nothing. After {@link finish} this means the
   * closing frames were never written (the store hook failed): the failure takes their place and their
   * sequence numbers, and still carries the full output so the answer is not lost.
   */
  private fail(error: GatewayError): string {
    this.ended = true;
    if (this.final) {
      this.seq = this.seqBeforeTail;
      this.started = this.seq > 0; // `response.created` went out only if it preceded the tail
    }
    let out = this.begin();
    for (const slot of this.slots) if (slot.open) slot.item.status = 'incomplete';
    const response = responseBody(this.opts.echo, {
      status: 'failed',
      error: { code: error.wireCode ?? error.code, message: error.message },
      output: this.slots.map((s) => s.item),
      usage: this.usage,
      charge: this.charge, // what was generated before the failure is billed; the client is told here
    });
    out += this.frame('response.failed', { response });
    return out;
  }

  finish(): string {
    if (this.ended || this.final) return '';
    this.seqBeforeTail = this.seq;
    let out = this.begin();
    // An answer with neither text nor calls is still an (empty) message, so Codex sees an answer.
    if (!this.slots.length) out += this.openText();
    const { status, incomplete_details } = statusOf(this.finishReason);
    const itemStatus: ItemStatus = status === 'incomplete' ? 'incomplete' : 'completed';
    this.slots.forEach((slot, at) => {
      if (slot.open) out += this.close(at, itemStatus);
    });
    this.final = responseBody(this.opts.echo, { status, incomplete_details, output: this.slots.map((s) => s.item), usage: this.usage, charge: this.charge });
    return out + this.frame(status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: this.final });
  }

  /** The completed body (what `respond` would have returned), once {@link finish} ran. */
  finalBody(): ResponseObject | undefined {
    return this.final;
  }
}
