import type { IncomingHttpHeaders } from 'node:http';
import type { CanonicalRequest, CompletionResult, InferenceContext } from '@gw/inference';
import { newId } from '../shared/ids';
import type { ProtocolAdapter } from '../shared/protocol-handler';
import { toCanonical } from './anthropic-messages.request.mapper';
import { toMessage } from './anthropic-messages.response.mapper';
import { validateMessages } from './anthropic-messages.schema';
import { MessagesStreamEncoder, PING_FRAME } from './anthropic-messages.stream';

export interface MessagesMeta {
  /** `msg_…`, Anthropic's id shape (24 base62 characters after the prefix). */
  id: string;
}

/**
 * The request headers an Anthropic upstream needs as well: `anthropic-beta` (fields like `context_management` are
 * rejected without their beta) and nothing else; above all never the caller's credentials.
 */
export function upstreamHeaders(headers: IncomingHttpHeaders): Record<string, string> | undefined {
  const beta = headers['anthropic-beta'];
  const value = Array.isArray(beta) ? beta.join(',') : beta;
  return value ? { 'anthropic-beta': value } : undefined;
}

/** Validates and maps a Messages body; shared by `/v1/messages` and `count_tokens`. */
export function parseMessages(body: unknown, defaultMaxTokens: number, headers: IncomingHttpHeaders = {}): CanonicalRequest {
  return toCanonical(validateMessages(body), { defaultMaxTokens, headers: upstreamHeaders(headers) });
}

/**
 * Wires the Anthropic Messages wire format into the shared protocol flow. A factory, not a constant
 * like the chat adapter, because the output cap without `max_tokens` comes from configuration.
 */
export function createMessagesAdapter(defaultMaxTokens: number): ProtocolAdapter<MessagesMeta> {
  return {
    surface: 'messages',
    parse(body: unknown, _ctx: InferenceContext, headers: IncomingHttpHeaders) {
      return { canonical: parseMessages(body, defaultMaxTokens, headers), meta: { id: newId('msg_') } };
    },
    respond(result: CompletionResult, canonical: CanonicalRequest, meta: MessagesMeta) {
      return toMessage(result, meta.id, canonical.model);
    },
    encoder(canonical: CanonicalRequest, meta: MessagesMeta) {
      return new MessagesStreamEncoder({ id: meta.id, model: canonical.model });
    },
    // Anthropic's own keep-alive is a `ping` event; 10 s keeps idle proxies (often 30-60 s) from cutting in.
    heartbeat: { frame: PING_FRAME, everyMs: 10_000 },
  };
}
