/**
 * Retry schedule of connector deliveries: exponential backoff with "full jitter" (delay uniform in
 * [0, min(max, base·2^(n-1))), AWS Architecture Blog, "Exponential Backoff and Jitter"). Full jitter spreads the
 * retries of many batches that failed together (a SIEM restart) instead of having them return in waves.
 */

export interface BackoffOptions {
  /** Cap of the first delay. Default 1 s. */
  baseMs?: number;
  /** Largest cap. Default 5 min. */
  maxMs?: number;
  /** Uniform in [0, 1); injectable for tests. Default `Math.random`. */
  random?: () => number;
}

const DEFAULTS = { baseMs: 1_000, maxMs: 300_000 };

/**
 * Attempts per batch before it goes to the dead-letter list: 20. With the default schedule the 19 waits have caps
 * 1, 2, 4 … 256 s then 300 s ×10 (3 511 s in all), so a batch keeps trying for about 29 minutes on average
 * (full jitter halves the caps) and at most 58 minutes: a receiver down for a minute, or restarted for an upgrade,
 * loses nothing; a longer outage ends in the dead-letter list, which the API replays.
 */
export const DEFAULT_MAX_ATTEMPTS = 20;

/** The cap of the wait after failed attempt `attempt` (1-based). */
export function retryCapMs(attempt: number, opts: BackoffOptions = {}): number {
  const { baseMs, maxMs } = { ...DEFAULTS, ...opts };
  const n = Math.max(1, Math.floor(attempt));
  // 2^(n-1) overflows to Infinity for large n, which min() caps correctly.
  return Math.min(maxMs, baseMs * 2 ** (n - 1));
}

/** The wait (ms) before the next try, after failed attempt `attempt` (1-based): uniform in [0, cap). */
export function retryDelayMs(attempt: number, opts: BackoffOptions = {}): number {
  const r = (opts.random ?? Math.random)();
  return Math.floor(Math.min(Math.max(r, 0), 1 - Number.EPSILON) * retryCapMs(attempt, opts));
}

/**
 * The wait that also honours a receiver's `Retry-After` (Splunk and OTLP collectors send it with 429/503): the
 * larger of the jittered delay and the receiver's ask, never more than `maxMs`.
 */
export function nextDelayMs(attempt: number, retryAfterMs: number | undefined, opts: BackoffOptions = {}): number {
  const jittered = retryDelayMs(attempt, opts);
  const asked = retryAfterMs !== undefined && retryAfterMs > 0 ? Math.min(retryAfterMs, opts.maxMs ?? DEFAULTS.maxMs) : 0;
  return Math.max(jittered, asked);
}

/** Mean total wait over `attempts` tries (there are `attempts - 1` waits), for documentation and tests. */
export function expectedTotalDelayMs(attempts: number = DEFAULT_MAX_ATTEMPTS, opts: BackoffOptions = {}): number {
  let sum = 0;
  for (let n = 1; n < attempts; n++) sum += retryCapMs(n, opts) / 2;
  return sum;
}
