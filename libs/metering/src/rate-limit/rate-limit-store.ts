/** Outcome of one {@link RateLimitStore.hit}. */
export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  /** Requests still possible in the current window after this one (0 when refused). */
  remaining: number;
  /**
   * Epoch ms (caller's clock) when the oldest counted request leaves the window, i.e. when one
   * more request becomes possible. `nowMs` when nothing is counted (a fail-open answer).
   */
  resetAtMs: number;
  /** How long until a refused request could succeed; 0 when allowed. */
  retryAfterMs: number;
  /** The store was unreachable and the request was allowed by fail-open. */
  degraded?: boolean;
}

/**
 * A sliding-window request counter: a log of request timestamps per key, not fixed buckets.
 * A request is counted only when it is allowed; a refused request does not extend the refusal.
 */
export interface RateLimitStore {
  /** Counts one request for `key` against `limit` per `windowMs`, atomically. Never throws. */
  hit(key: string, limit: number, windowMs: number, nowMs?: number): Promise<RateLimitResult>;
  /** Releases connections and timers (idempotent). */
  close(): Promise<void>;
  /** Hits answered by fail-open because the store could not count (a metric); absent for stores that cannot fail. */
  readonly failOpenCount?: number;
}

/** The answer of a store that cannot count (fail-open): allowed, nothing known about the window. */
export function failOpenResult(limit: number, nowMs: number): RateLimitResult {
  return { allowed: true, limit, remaining: limit, resetAtMs: nowMs, retryAfterMs: 0, degraded: true };
}

/** Minimal logger the stores warn through (Nest's `Logger` and pino both fit). */
export interface RateLimitLogger {
  warn(message: string): void;
}
