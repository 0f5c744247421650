import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

export type SurfaceName = 'chat' | 'responses' | 'messages';
export const SURFACE_NAMES: SurfaceName[] = ['chat', 'responses', 'messages'];

/** What one call through an official SDK amounted to, whatever the surface. */
export interface CallOutcome {
  status: number;
  requestId: string;
  text: string;
  /** The surface's own end reason: chat `finish_reason`, Responses status/incomplete reason, Messages `stop_reason`. */
  end: string | null;
  /** The `policy` object of the body, or of every stream event (one per event). */
  policies: Array<Record<string, unknown> | undefined>;
  /** The SDK's error, when the call failed. */
  error?: InstanceType<typeof OpenAI.APIError> | InstanceType<typeof Anthropic.APIError>;
  /** The error body's `policy`, when the call failed. */
  errorPolicy?: Record<string, unknown>;
}

export interface CallSpec {
  text: string;
  /** A system prompt (chat system message, Responses `instructions`, Messages `system`). */
  system?: string;
  stream: boolean;
  model: string;
  /** Extra body fields (policy, policy_id, policy_user, flagged_categories...). */
  extra?: Record<string, unknown>;
  headers?: Record<string, string>;
}

type Obj = Record<string, unknown>;

/** Drives the three surfaces through the official clients at `base` (`…/policy` or the root for `/v1`). */
export class SurfaceDrivers {
  private readonly openai: OpenAI;
  private readonly anthropic: Anthropic;

  constructor(base: string, apiKey: string) {
    this.openai = new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0 });
    this.anthropic = new Anthropic({ baseURL: base, apiKey, maxRetries: 0 });
  }

  async call(surface: SurfaceName, spec: CallSpec): Promise<CallOutcome> {
    try {
      if (surface === 'chat') return await this.chat(spec);
      if (surface === 'responses') return await this.responses(spec);
      return await this.messages(spec);
    } catch (e) {
      assert.ok(e instanceof OpenAI.APIError || e instanceof Anthropic.APIError, `not an SDK error: ${String(e)}`);
      const body = e.error as Obj | undefined;
      return {
        status: e.status ?? 0,
        requestId: e.headers?.get('x-request-id') ?? '',
        text: '',
        end: null,
        policies: [],
        error: e,
        // Anthropic's SDK keeps the whole body; OpenAI's keeps `error`, which carries the policy too.
        errorPolicy: (body?.policy as Obj | undefined) ?? undefined,
      };
    }
  }

  private async chat(spec: CallSpec): Promise<CallOutcome> {
    const system = spec.system ? [{ role: 'system', content: spec.system }] : [];
    const body = { model: spec.model, messages: [...system, { role: 'user', content: spec.text }], stream: spec.stream, ...spec.extra } as never;
    const opts = { headers: spec.headers };
    if (!spec.stream) {
      const { data, response } = await this.openai.chat.completions.create(body, opts).withResponse();
      const d = data as unknown as Obj & OpenAI.Chat.ChatCompletion;
      return { status: response.status, requestId: response.headers.get('x-request-id')!, text: d.choices[0].message.content ?? '', end: d.choices[0].finish_reason, policies: [d.policy as Obj] };
    }
    const { data, response } = await this.openai.chat.completions.create(body, opts).withResponse();
    const out: CallOutcome = { status: response.status, requestId: response.headers.get('x-request-id')!, text: '', end: null, policies: [] };
    for await (const chunk of data as unknown as AsyncIterable<Obj & OpenAI.Chat.ChatCompletionChunk>) {
      out.policies.push(chunk.policy as Obj);
      out.text += chunk.choices[0]?.delta?.content ?? '';
      out.end = chunk.choices[0]?.finish_reason ?? out.end;
    }
    return out;
  }

  private async responses(spec: CallSpec): Promise<CallOutcome> {
    const body = { model: spec.model, input: spec.text, stream: spec.stream, ...(spec.system ? { instructions: spec.system } : {}), ...spec.extra } as never;
    const opts = { headers: spec.headers };
    const { data, response } = await this.openai.responses.create(body, opts).withResponse();
    const out: CallOutcome = { status: response.status, requestId: response.headers.get('x-request-id')!, text: '', end: null, policies: [] };
    if (!spec.stream) {
      const r = data as unknown as Obj & OpenAI.Responses.Response;
      return { ...out, text: r.output_text, end: r.status === 'incomplete' ? `incomplete:${r.incomplete_details?.reason}` : (r.status ?? null), policies: [r.policy as Obj] };
    }
    for await (const ev of data as unknown as AsyncIterable<Obj & { type: string; delta?: string; response?: OpenAI.Responses.Response }>) {
      out.policies.push(ev.policy as Obj);
      if (ev.type === 'response.output_text.delta') out.text += ev.delta ?? '';
      if (ev.type === 'response.completed') out.end = 'completed';
      if (ev.type === 'response.incomplete') out.end = `incomplete:${ev.response?.incomplete_details?.reason}`;
    }
    return out;
  }

  private async messages(spec: CallSpec): Promise<CallOutcome> {
    const body = { model: spec.model, max_tokens: 256, messages: [{ role: 'user', content: spec.text }], stream: spec.stream, ...(spec.system ? { system: spec.system } : {}), ...spec.extra } as never;
    const opts = { headers: spec.headers };
    const { data, response } = await this.anthropic.messages.create(body, opts).withResponse();
    const out: CallOutcome = { status: response.status, requestId: response.headers.get('x-request-id')!, text: '', end: null, policies: [] };
    if (!spec.stream) {
      const m = data as unknown as Obj & Anthropic.Message;
      const text = m.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      return { ...out, text, end: m.stop_reason, policies: [m.policy as Obj] };
    }
    for await (const ev of data as unknown as AsyncIterable<Obj & Anthropic.RawMessageStreamEvent>) {
      out.policies.push(ev.policy as Obj);
      if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') out.text += ev.delta.text;
      if (ev.type === 'message_delta') out.end = ev.delta.stop_reason ?? out.end;
    }
    return out;
  }
}

/** `say64:` makes the fake upstream answer exactly `text` (the gateway's input checks see only base64). */
export function say(text: string): string {
  return `say64:${Buffer.from(text, 'utf8').toString('base64')}`;
}
