import type { ThrottlerStorage } from '@nestjs/throttler';
import type { RateLimitResult, RateLimitStore } from './rate-limit-store';

/** `ThrottlerStorageRecord` plus the store's full answer (reset instant, degraded flag). */
export interface RateLimitThrottlerRecord {
  totalHits: number;
  /** Seconds until the oldest counted request leaves the window (throttler convention: seconds). */
  timeToExpire: number;
  isBlocked: boolean;
  /** Seconds until a refused request could succeed. */
  timeToBlockExpire: number;
  result: RateLimitResult;
}

/**
 * `@nestjs/throttler` storage over a {@link RateLimitStore}. `ttl` is the sliding window (ms);
 * `blockDuration` is ignored: in a sliding window a refusal lasts exactly until the oldest counted
 * request leaves the window, and refused requests are not counted.
 */
export class RateLimitThrottlerStorage implements ThrottlerStorage {
  constructor(
    readonly store: RateLimitStore,
    private readonly now: () => number = Date.now,
  ) {}

  async increment(key: string, ttl: number, limit: number, _blockDuration: number, _throttlerName: string): Promise<RateLimitThrottlerRecord> {
    const result = await this.store.hit(key, limit, ttl);
    const now = this.now();
    return {
      totalHits: result.allowed ? limit - result.remaining : limit + 1,
      timeToExpire: Math.max(0, Math.ceil((result.resetAtMs - now) / 1000)),
      isBlocked: !result.allowed,
      timeToBlockExpire: result.allowed ? 0 : Math.max(1, Math.ceil(result.retryAfterMs / 1000)),
      result,
    };
  }
}

/** True when a storage record carries the store's full answer. */
export function isRateLimitThrottlerRecord(record: object): record is RateLimitThrottlerRecord {
  return 'result' in record && typeof (record as { result?: unknown }).result === 'object';
}
