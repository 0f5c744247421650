import type { RateLimitResult, RateLimitStore } from './rate-limit-store';

export interface MemoryRateLimitStoreOptions {
  /** How often idle keys are dropped (ms; 0 disables the timer, e.g. in tests that call `sweep()`). */
  sweepIntervalMs?: number;
  /** Clock used when `hit` gets no `nowMs` (tests inject one). */
  now?: () => number;
}

interface WindowLog {
  /** Timestamps of counted requests, oldest first; entries before `head` are already expired. */
  stamps: number[];
  head: number;
  /** Window of the latest hit: the key is idle once its newest stamp is this old. */
  windowMs: number;
}

/**
 * In-process sliding window for the embedded mode (one process, so nothing to share): a timestamp
 * log per key, pruned lazily on each hit and compacted when half of it has expired; a periodic
 * sweep drops keys with nothing left in their window, so memory stays bounded by the active keys.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly logs = new Map<string, WindowLog>();
  private readonly now: () => number;
  private readonly timer?: NodeJS.Timeout;

  constructor(options: MemoryRateLimitStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    const every = options.sweepIntervalMs ?? 60_000;
    if (every > 0) {
      this.timer = setInterval(() => this.sweep(), every);
      this.timer.unref();
    }
  }

  /** Number of keys currently held (for tests and metrics). */
  get size(): number {
    return this.logs.size;
  }

  async hit(key: string, limit: number, windowMs: number, nowMs?: number): Promise<RateLimitResult> {
    const now = nowMs ?? this.now();
    let log = this.logs.get(key);
    if (!log) {
      log = { stamps: [], head: 0, windowMs };
      this.logs.set(key, log);
    }
    log.windowMs = windowMs;
    prune(log, now - windowMs);
    const count = log.stamps.length - log.head;
    if (count < limit) {
      log.stamps.push(Math.max(now, log.stamps[log.stamps.length - 1] ?? now)); // keep the log sorted
      const oldest = log.stamps[log.head];
      return { allowed: true, limit, remaining: limit - count - 1, resetAtMs: oldest + windowMs, retryAfterMs: 0 };
    }
    // Full (or over, after a lowered limit): the next slot opens when entry `count - limit` expires.
    const freeing = log.stamps[log.head + count - limit];
    const resetAtMs = freeing + windowMs;
    return { allowed: false, limit, remaining: 0, resetAtMs, retryAfterMs: Math.max(1, resetAtMs - now) };
  }

  /** Drops keys whose whole log has left its window. */
  sweep(nowMs = this.now()): void {
    for (const [key, log] of this.logs) {
      const newest = log.stamps[log.stamps.length - 1];
      if (newest === undefined || newest <= nowMs - log.windowMs) this.logs.delete(key);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.logs.clear();
  }
}

/** Advances past stamps at or before `cutoff` (a stamp counts while `now - stamp < window`). */
function prune(log: WindowLog, cutoff: number): void {
  const { stamps } = log;
  while (log.head < stamps.length && stamps[log.head] <= cutoff) log.head++;
  if (log.head > 32 && log.head * 2 > stamps.length) {
    stamps.splice(0, log.head);
    log.head = 0;
  }
}
