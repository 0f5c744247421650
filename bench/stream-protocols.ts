/**
 * The three stream shapes the gateway speaks (performance.md S5): the request body, which SSE event is a
 * *content event* (TTFT and gaps are measured on it, and there must be one per mock delta), which event ends
 * the stream, and which events report an error. The mock upstream itself only speaks `chat`.
 */
export type StreamProtocol = 'chat' | 'responses' | 'messages';

export type EventKind = 'content' | 'end' | 'error' | 'other';

export interface ProtocolSpec {
  /** Gateway path of the protocol (direct and thin use their own chat path). */
  path: string;
  /** Shown in the report: the event that must end every stream. */
  terminator: string;
  headers: Record<string, string>;
  body(model: string, prompt: string, maxTokens: number): string;
  /** `event` is the SSE `event:` field (undefined when absent), `data` the joined `data:` lines. */
  classify(event: string | undefined, data: string): EventKind;
}

type Json = Record<string, unknown>;
const parse = (data: string): Json => {
  const v: unknown = JSON.parse(data);
  return typeof v === 'object' && v !== null ? (v as Json) : {};
};
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
/** Responses and Messages put the event name in `data.type` too; used when a server omits `event:`. */
const eventName = (event: string | undefined, data: string): string => {
  if (event !== undefined) return event;
  const type = parse(data).type;
  return typeof type === 'string' ? type : '';
};

export const PROTOCOLS: Record<StreamProtocol, ProtocolSpec> = {
  chat: {
    path: '/v1/chat/completions',
    terminator: '[DONE]',
    headers: {},
    body: (model, prompt, maxTokens) => JSON.stringify({ model, messages: [{ role: 'user', content: prompt }], stream: true, max_tokens: maxTokens }),
    classify(_event, data) {
      if (data === '[DONE]') return 'end';
      const frame = parse(data);
      if (frame.error !== undefined) return 'error';
      const choices = Array.isArray(frame.choices) ? (frame.choices as unknown[]) : [];
      const content = obj(obj(choices[0]).delta).content;
      // The role chunk carries `content: ""`: not content yet (the mock sends it before the first interval).
      return typeof content === 'string' && content !== '' ? 'content' : 'other';
    },
  },
  responses: {
    path: '/v1/responses',
    terminator: 'response.completed',
    headers: {},
    body: (model, prompt, maxTokens) => JSON.stringify({ model, input: prompt, stream: true, max_output_tokens: maxTokens }),
    classify(event, data) {
      // The event name alone decides, so the probe does not JSON.parse every frame on the load core.
      const name = eventName(event, data);
      if (name === 'response.output_text.delta') return 'content';
      if (name === 'response.completed') return 'end';
      return name === 'error' || name === 'response.failed' ? 'error' : 'other';
    },
  },
  messages: {
    path: '/v1/messages',
    terminator: 'message_stop',
    // What the Anthropic SDK sends; the gateway accepts `Authorization: Bearer` on this path as well.
    headers: { 'anthropic-version': '2023-06-01' },
    body: (model, prompt, maxTokens) => JSON.stringify({ model, messages: [{ role: 'user', content: prompt }], max_tokens: maxTokens, stream: true }),
    classify(event, data) {
      const name = eventName(event, data);
      if (name === 'content_block_delta') return obj(parse(data).delta).type === 'text_delta' ? 'content' : 'other';
      if (name === 'message_stop') return 'end';
      return name === 'error' ? 'error' : 'other';
    },
  },
};
