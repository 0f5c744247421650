import type { CanonicalRequest } from '../../canonical/canonical-request';

/**
 * Betas that change how the caller authenticates (Claude Code's `oauth-2025-04-20` on a subscription login): the
 * gateway authenticates upstream with its own API key, so a client's auth scheme must not travel with it.
 */
const AUTH_BETA = /^oauth-/i;

const names = (list: string | undefined): string[] =>
  (list ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');

/**
 * The `anthropic-beta` header for one request: the configured betas (`extra_headers`), then those the caller sent on
 * `/v1/messages` (body fields like `context_management` are rejected upstream without theirs), deduplicated and
 * comma-joined. Requests from other dialects add nothing: their bodies carry no Anthropic-only fields.
 */
export function betaHeader(configured: string | undefined, req: CanonicalRequest): string | undefined {
  const own = req.passthrough.dialect === 'anthropic-messages' ? names(req.passthrough.headers?.['anthropic-beta']).filter((n) => !AUTH_BETA.test(n)) : [];
  const all = [...new Set([...names(configured), ...own])];
  return all.length > 0 ? all.join(',') : undefined;
}
