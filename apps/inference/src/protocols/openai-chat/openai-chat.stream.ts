import type { CanonicalEvent, Charge, Usage } from '@gw/inference';
import { openAIErrorBody } from '../shared/error-envelope';
import { chargeFields, finishReason, wireUsage } from './openai-chat.response.mapper';

export interface ChatStreamOptions {
  id: string;
  model: string;
  created: number;
  /** `stream_options.include_usage`: a last chunk with `choices: []` and the usage. */
  includeUsage: boolean;
}

/**
 * Canonical events → `chat.completion.chunk` SSE frames (`data: …\n\n`), ending with `data: [DONE]`.
 * Pure and synchronous per event so it can be snapshot-tested. Usage is always sent: on its own chunk
 * when `include_usage` is set, otherwise on the chunk that carries `finish_reason`; the credit fields
 * (`remaining_credits`, `estimated_credits_used`, `estimated_cost_usd`) ride on that same chunk, or on the
 * error chunk of a stream that failed mid-way.
 */
export class ChatStreamEncoder {
  private readonly head: string;
  private usage: Usage = { inputTokens: 0, outputTokens: 0 };
  private pendingFinish: string | null = null;
  private charge: Charge | undefined;
  private ended = false;

  constructor(private readonly opts: ChatStreamOptions) {
    this.head = `{"id":${JSON.stringify(opts.id)},"object":"chat.completion.chunk","created":${opts.created},"model":${JSON.stringify(opts.model)},"system_fingerprint":null,"choices":`;
  }

  private chunk(delta: unknown, finish: string | null = null): string {
    return `data: ${this.head}[{"index":0,"delta":${JSON.stringify(delta)},"logprobs":null,"finish_reason":${finish ? JSON.stringify(finish) : 'null'}}]}\n\n`;
  }

  /** Frames for one event (possibly none). */
  encode(ev: CanonicalEvent): string {
    if (this.ended) return '';
    switch (ev.type) {
      case 'message_start':
        if (ev.inputTokens !== undefined) this.usage = { ...this.usage, inputTokens: ev.inputTokens };
        return this.chunk({ role: 'assistant', content: '', refusal: null });
      case 'text_delta':
        return ev.text ? this.chunk({ content: ev.text }) : '';
      // Anthropic thinking has no Chat Completions form (and is signed for Anthropic alone): not sent.
      case 'reasoning_start':
      case 'reasoning_delta':
      case 'reasoning_signature':
      case 'redacted_reasoning':
        return '';
      case 'tool_call_start':
        return this.chunk({ tool_calls: [{ index: ev.index, id: ev.id, type: 'function', function: { name: ev.name, arguments: '' } }] });
      case 'tool_call_delta':
        return this.chunk({ tool_calls: [{ index: ev.index, function: { arguments: ev.argumentsDelta } }] });
      case 'usage':
        this.usage = ev.usage;
        return '';
      case 'message_stop':
        this.pendingFinish = finishReason(ev.finishReason);
        return '';
      case 'error': {
        // The SDK raises APIError on `error`; the usage and charge of what was generated ride beside it, at the top
        // level as on the usage chunk of a stream that ended normally.
        this.ended = true;
        const billed = this.charge ? { usage: wireUsage(this.usage), ...chargeFields(this.charge) } : {};
        return `data: ${JSON.stringify({ ...openAIErrorBody(ev.error), ...billed })}\n\n`;
      }
      case 'metering':
        this.charge = ev.charge;
        if (ev.usage) this.usage = ev.usage;
        return '';
    }
  }

  /** Closing frames once the event stream ended normally. */
  finish(): string {
    if (this.ended) return '';
    this.ended = true;
    const usage = JSON.stringify(wireUsage(this.usage));
    const credits = this.charge ? `,${JSON.stringify(chargeFields(this.charge)).slice(1, -1)}` : '';
    const finish = JSON.stringify(this.pendingFinish ?? 'stop');
    const last = `data: ${this.head}[{"index":0,"delta":{},"logprobs":null,"finish_reason":${finish}}]`;
    return this.opts.includeUsage
      ? `${last}}\n\ndata: ${this.head}[],"usage":${usage}${credits}}\n\ndata: [DONE]\n\n`
      : `${last},"usage":${usage}${credits}}\n\ndata: [DONE]\n\n`;
  }
}
