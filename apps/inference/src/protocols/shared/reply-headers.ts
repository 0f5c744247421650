/** Response headers of the generation endpoints. */
import type { FastifyReply } from 'fastify';

/** Set when the output cap was lowered to what the caller's balance affords. */
export const MAX_TOKENS_CAPPED_HEADER = 'x-gateway-max-tokens-capped';

/** Headers already set on the reply (rate limits...) must survive `hijack()`. */
export function headersOf(reply: FastifyReply): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}
