import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AdmissionRedis, withDeadline } from '../admission-redis';
import { failOpenResult, type RateLimitLogger, type RateLimitResult, type RateLimitStore } from './rate-limit-store';
import { SLIDING_WINDOW_LUA } from './redis-rate-limit.script';

export interface RedisRateLimitStoreOptions {
  /** Prefix of every counter key (default `gw:rl:`). */
  keyPrefix?: string;
  /** A command slower than this fails open (default 100 ms). */
  commandTimeoutMs?: number;
  /** TCP connect timeout per attempt (default 1000 ms). */
  connectTimeoutMs?: number;
  /** Longest pause between reconnect attempts (default 1000 ms; attempts never stop). */
  maxReconnectDelayMs?: number;
  /** At most one "store unreachable" warning per this many ms (default 30 s). */
  warnEveryMs?: number;
  logger?: RateLimitLogger;
  /** Caller clock, used only to express reset times (default `Date.now`). */
  now?: () => number;
}

type SlidingWindowReply = [allowed: number, count: number, resetScore: number, redisNow: number];
type ScriptedRedis = Redis & {
  gwRateLimitHit(key: string, limit: number, windowMs: number, member: string): Promise<SlidingWindowReply>;
};

/**
 * Sliding-window counters shared by every replica through Redis: one EVALSHA per hit (a sorted set
 * per key; see {@link SLIDING_WINDOW_LUA}). The window is measured with Redis `TIME`, so the
 * `nowMs` argument of `hit` is ignored for counting; reset times are translated to the caller's
 * clock by the offset between the two.
 *
 * Fail-open: commands are never queued while disconnected (`enableOfflineQueue: false`), never
 * retried (`maxRetriesPerRequest: 0`) and time out after `commandTimeoutMs`; any failure answers
 * `allowed: true, degraded: true`, increments {@link failOpenCount} and warns at most once per
 * `warnEveryMs`. Given an {@link AdmissionRedis} instead of a URL, it shares that connection with the quotas
 * and bounds its own scripts by `commandTimeoutMs`. ioredis keeps reconnecting in the background; after a Redis restart the script
 * cache is empty and ioredis falls back from EVALSHA to EVAL on NOSCRIPT by itself.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly redis: ScriptedRedis;
  private readonly prefix: string;
  private readonly warnEveryMs: number;
  private readonly logger: RateLimitLogger;
  private readonly now: () => number;
  private readonly memberBase = randomBytes(6).toString('hex');
  private seq = 0;
  private failures = 0;
  private lastWarnAt = Number.NEGATIVE_INFINITY;
  private closed = false;
  private readonly connection: AdmissionRedis;
  private readonly timeoutMs: number;

  constructor(target: string | AdmissionRedis, options: RedisRateLimitStoreOptions = {}) {
    this.prefix = options.keyPrefix ?? 'gw:rl:';
    this.warnEveryMs = options.warnEveryMs ?? 30_000;
    this.logger = options.logger ?? new Logger(RedisRateLimitStore.name);
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.commandTimeoutMs ?? 100;
    this.connection =
      typeof target === 'string'
        ? new AdmissionRedis(target, { connectTimeoutMs: options.connectTimeoutMs, maxReconnectDelayMs: options.maxReconnectDelayMs, connectionName: 'gw-rate-limit' })
        : target;
    this.redis = this.connection.acquire() as ScriptedRedis;
    this.redis.defineCommand('gwRateLimitHit', { numberOfKeys: 1, lua: SLIDING_WINDOW_LUA });
  }

  /** Hits answered by fail-open because Redis was unreachable, slow or failing (a metric). */
  get failOpenCount(): number {
    return this.failures;
  }

  /** True while the connection is usable. */
  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  /** Resolves once connected (boot and tests); rejects after `timeoutMs`. */
  async waitUntilReady(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.redis.status !== 'ready') {
      if (Date.now() > deadline) throw new Error(`rate-limit Redis not ready within ${timeoutMs} ms (status ${this.redis.status})`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitResult> {
    const member = `${this.memberBase}:${(this.seq = (this.seq + 1) % Number.MAX_SAFE_INTEGER)}`;
    try {
      const script = this.redis.gwRateLimitHit(this.prefix + key, limit, windowMs, member);
      const [allowed, count, resetScore, redisNow] = await withDeadline(script, this.timeoutMs);
      const localNow = this.now();
      const resetAtMs = localNow + (resetScore + windowMs - redisNow);
      if (allowed === 1) {
        return { allowed: true, limit, remaining: Math.max(0, limit - count), resetAtMs, retryAfterMs: 0 };
      }
      return { allowed: false, limit, remaining: 0, resetAtMs, retryAfterMs: Math.max(1, resetAtMs - localNow) };
    } catch (err) {
      this.failures++;
      this.warn(`rate-limit store unreachable, allowing requests (fail-open; ${this.failures} so far): ${(err as Error).message}`);
      return failOpenResult(limit, this.now());
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connection.release();
  }

  private warn(message: string): void {
    if (this.closed) return;
    const now = Date.now();
    if (now - this.lastWarnAt < this.warnEveryMs) return;
    this.lastWarnAt = now;
    this.logger.warn(message);
  }
}
