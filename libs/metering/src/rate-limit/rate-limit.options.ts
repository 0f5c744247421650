import type { GatewayConfig } from '@gw/config';

/**
 * What the rate limiter needs from the authenticated principal, read from `request.principal`
 * (set by the auth guard, which runs first).
 */
export interface RateLimitSubject {
  kind: 'api_key' | 'user' | 'free_tier';
  /** Key id, user id, or device id (free tier). */
  id: string;
  orgId?: string;
  /** Per-key override (requests per window); wins over the organisation's. */
  rateLimitPerMinute?: number | null;
  /** Per-organisation override. */
  orgRateLimitPerMinute?: number | null;
}

export interface RateLimitOptions {
  /** Sliding window length (RATE_LIMIT_WINDOW_MS, default 60 s). Overrides are "per window". */
  windowMs: number;
  /** Default for `api_key` principals (RATE_LIMIT_KEY, 120). */
  apiKeyLimit: number;
  /** Default for `user` (JWT) principals (RATE_LIMIT_JWT, 30). */
  userLimit: number;
  /**
   * Default for `free_tier` principals, tracked per device id. The Postman collection says
   * "1 request per device"; we apply it per window (default 1), not for the device's lifetime.
   */
  freeTierLimit: number;
}

export const DEFAULT_RATE_LIMIT_OPTIONS: RateLimitOptions = { windowMs: 60_000, apiKeyLimit: 120, userLimit: 30, freeTierLimit: 1 };

/** The throttler name; the storage key is `requests:<kind>:<id>` under the store's prefix. */
export const REQUESTS_THROTTLER = 'requests';

/** Options from the validated config. */
export function rateLimitOptionsFromConfig(config: GatewayConfig, overrides: Partial<RateLimitOptions> = {}): RateLimitOptions {
  return {
    windowMs: config.env.RATE_LIMIT_WINDOW_MS,
    apiKeyLimit: config.env.RATE_LIMIT_KEY,
    userLimit: config.env.RATE_LIMIT_JWT,
    freeTierLimit: DEFAULT_RATE_LIMIT_OPTIONS.freeTierLimit,
    ...overrides,
  };
}

const isLimit = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0;

/** Limit per window for a principal: key override ?? organisation override ?? default for its kind. */
export function resolveRateLimit(subject: RateLimitSubject, options: RateLimitOptions): number {
  if (isLimit(subject.rateLimitPerMinute)) return subject.rateLimitPerMinute;
  if (isLimit(subject.orgRateLimitPerMinute)) return subject.orgRateLimitPerMinute;
  switch (subject.kind) {
    case 'api_key':
      return options.apiKeyLimit;
    case 'user':
      return options.userLimit;
    case 'free_tier':
      return options.freeTierLimit;
  }
}

type Loose = Record<string, unknown>;
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/**
 * Who a request counts against: `request.rateLimitSubject` when the auth guard set one (free tier),
 * else derived from `request.principal` (an API key counts per key, a login token per user).
 */
export function rateLimitSubjectOf(req: unknown): RateLimitSubject | undefined {
  const r = req as { principal?: Loose; rateLimitSubject?: RateLimitSubject } | undefined;
  if (r?.rateLimitSubject) return r.rateLimitSubject;
  const p = r?.principal;
  if (!p) return undefined;
  const orgId = typeof p.orgId === 'string' ? p.orgId : undefined;
  if (p.kind === 'api_key' && typeof p.keyId === 'string') {
    return { kind: 'api_key', id: p.keyId, orgId, rateLimitPerMinute: num(p.rateLimitPerMinute), orgRateLimitPerMinute: num(p.orgRateLimitPerMinute) };
  }
  if (p.kind === 'user' && typeof p.userId === 'string') return { kind: 'user', id: p.userId, orgId };
  return typeof p.id === 'string' && typeof p.kind === 'string' ? (p as unknown as RateLimitSubject) : undefined;
}
