import { Logger } from '@nestjs/common';
import { AdmissionRedis, withDeadline } from '../admission-redis';
import type { QuotaLogger } from './memory-quota.persistence';
import { QuotaKeys } from './quota-keys';
import { limitOf, planCounters, QUOTA_WINDOW_MARGIN_MS, wholeTokens } from './quota-rules';
import type { QuotaCounter, QuotaHold, QuotaReserveInput, QuotaReserveResult, QuotaStore, QuotaUsage } from './quota-store';
import { appendFinishes, finished, PendingFinishes, type Arg, type PendingFinish } from './quota-finishes';
import { QUOTA_FINISH_LUA, QUOTA_RESERVE_LUA, QUOTA_USAGE_LUA } from './redis-quota.script';
import type { RedisQuotaStoreOptions, ScriptedRedis } from './redis-quota.types';

export { QUOTA_FINISH_LINGER_MS } from './quota-finishes';
export type { RedisQuotaStoreOptions } from './redis-quota.types';

/**
 * Quotas shared by every replica, exact under concurrency: reserve and usage are one EVALSHA each over all their
 * counters; settles and releases ride on the next reserve of their hash tag or leave together ({@link PendingFinishes}).
 * Keys: {@link QuotaKeys} (the counters of one organisation share a Cluster slot).
 *
 * Windows and hold expiries use the caller's clock (replicas' clocks only need to agree to well within the hold
 * TTL and the window margin). Fail-closed: commands are never queued while disconnected nor retried, and time
 * out after `commandTimeoutMs`, so `reserve` rejects quickly and the caller answers 503. A reserve that timed out
 * may still have run: its hold is released right behind it on the same connection (best effort; else it expires).
 * Given an {@link AdmissionRedis} instead of a URL, it shares that connection with the rate limiter and bounds its
 * own scripts by `commandTimeoutMs`.
 */
export class RedisQuotaStore implements QuotaStore {
  private readonly redis: ScriptedRedis;
  private readonly keys: QuotaKeys;
  private readonly logger: QuotaLogger;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private closed = false;
  private lastWarnAt = Number.NEGATIVE_INFINITY;
  private failedFinishes = 0;
  /** Settles and releases waiting for a reserve of their hash tag to carry them, or for the linger (see {@link finish}). */
  private readonly pending = new PendingFinishes((batch) => this.sendFinishes(batch));
  private readonly connection: AdmissionRedis;

  constructor(target: string | AdmissionRedis, private readonly options: RedisQuotaStoreOptions) {
    this.keys = new QuotaKeys(options.keyPrefix ?? 'gw:q:');
    this.logger = options.logger ?? new Logger(RedisQuotaStore.name);
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.commandTimeoutMs ?? 1_000;
    this.connection = typeof target === 'string' ? new AdmissionRedis(target, { connectTimeoutMs: options.connectTimeoutMs, connectionName: 'gw-quota' }) : target;
    this.redis = this.connection.acquire() as ScriptedRedis;
    this.redis.defineCommand('gwQuotaReserve', { lua: QUOTA_RESERVE_LUA });
    this.redis.defineCommand('gwQuotaFinish', { lua: QUOTA_FINISH_LUA });
    this.redis.defineCommand('gwQuotaUsage', { lua: QUOTA_USAGE_LUA });
  }

  /** Settles and releases that could not reach Redis (a metric): their holds expire instead. */
  get failedFinishCount(): number {
    return this.failedFinishes;
  }

  /** Resolves once connected (boot and tests); rejects after `timeoutMs`. */
  async waitUntilReady(timeoutMs = 5_000): Promise<void> {
    await this.ready(timeoutMs, true);
  }

  async reserve(input: QuotaReserveInput): Promise<QuotaReserveResult> {
    const now = input.nowMs ?? this.now();
    const requests = input.requests === 1 ? 1 : 0;
    const tokens = wholeTokens(input.tokens);
    const planned = planCounters(input.counters, now, this.options.timeZone);
    const expiresAtMs = now + this.options.holdTtlMs;
    const entries = planned.map((p) => ({ scope: p.counter.scope, key: p.counter.key, windowKey: p.windowKey, resetAtMs: p.window.resetAtMs }));
    const hold: QuotaHold = { holdId: input.holdId, entries, requests, tokens, expiresAtMs };
    if (planned.length === 0) return { ok: true, hold };
    const { keys, tag } = this.keys.slot(entries);
    const args: Arg[] = [planned.length, input.holdId, requests, tokens, now, expiresAtMs];
    for (const p of planned) args.push(limitOf(p.counter.limit.requests), limitOf(p.counter.limit.tokens), p.window.resetAtMs + QUOTA_WINDOW_MARGIN_MS - now);
    if (this.redis.status !== 'ready') await this.ready(this.timeoutMs);
    // This tag's settles and releases waiting since earlier calls ride on this round trip, applied before the reserve.
    const carried = tag ? this.pending.take(tag) : undefined;
    appendFinishes(carried ?? [], keys, args);
    let reply: number[];
    try {
      reply = await this.bounded(this.redis.gwQuotaReserve(keys.length, ...keys, ...args));
      if (carried) finished(carried);
    } catch (err) {
      if (carried) this.finishFailed(carried, err);
      void this.release(hold);
      throw err;
    }
    if (reply[0] === 1) return { ok: true, hold };
    const [, index, dimension, used] = reply;
    const p = planned[index - 1];
    const limit = dimension === 1 ? limitOf(p.counter.limit.requests) : limitOf(p.counter.limit.tokens);
    return { ok: false, scope: p.counter.scope, dimension: dimension === 1 ? 'requests' : 'tokens', limit, used, resetAtMs: p.window.resetAtMs };
  }

  settle(hold: QuotaHold, actualTokens: number): Promise<void> {
    return this.finish(hold, 's', wholeTokens(actualTokens), 0);
  }

  release(hold: QuotaHold): Promise<void> {
    return this.finish(hold, 'r', 0, hold.requests);
  }

  async usage(counters: QuotaCounter[], nowMs?: number): Promise<QuotaUsage[]> {
    const now = nowMs ?? this.now();
    const planned = planCounters(counters, now, this.options.timeZone);
    if (planned.length === 0) return [];
    if (this.redis.status !== 'ready') await this.ready(this.timeoutMs);
    void this.pending.flush(); // what waits to be settled goes first on the connection, so the read sees it
    const flat = await this.bounded(this.redis.gwQuotaUsage(planned.length * 2, ...this.keys.of(planned), now));
    return planned.map((p, i) => ({
      scope: p.counter.scope,
      key: p.counter.key,
      window: p.window,
      requests: { used: flat[3 * i], limit: p.counter.limit.requests },
      tokens: { used: flat[3 * i + 1], held: flat[3 * i + 2], limit: p.counter.limit.tokens },
    }));
  }

  /** Sends the finishes still waiting (for a reserve or the linger), waits for them, then gives the connection back. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.pending.flush();
    this.closed = true;
    this.connection.release();
  }

  /** The connection has no timeout of its own (it may be shared with the rate limiter): bound the script here. */
  private bounded<T>(script: Promise<T>): Promise<T> {
    return withDeadline(script, this.timeoutMs);
  }

  /**
   * Settles and releases are batched per hash tag (a Cluster slot; one organisation) and wait for the next reserve of
   * that tag, which applies them in its own script before reserving (so at c=1 a call's settle costs no round trip
   * of its own); what no reserve carried within {@link QUOTA_FINISH_LINGER_MS} leaves as one EVALSHA per tag. Nobody
   * waits on them on the request path (the quota meter fires and forgets), and on one connection a finish still runs
   * after the reserve it finishes. Resolves when its script has answered or failed: a failure is counted and logged,
   * never thrown (the holds expire on their own).
   */
  private finish(hold: QuotaHold, mode: 's' | 'r', tokens: number, requests: number): Promise<void> {
    if (hold.entries.length === 0) return Promise.resolve();
    const { keys, tag } = this.keys.slot(hold.entries); // several slots (tag null): a batch of its own
    return this.pending.add(tag ?? `\u0000${hold.holdId}`, { keys, holdId: hold.holdId, mode, tokens, requests });
  }

  private async sendFinishes(batch: PendingFinish[]): Promise<void> {
    try {
      const keys: string[] = [];
      const args: Arg[] = [];
      appendFinishes(batch, keys, args);
      if (this.redis.status !== 'ready') await this.ready(this.timeoutMs); // no promise per batch once connected
      await this.bounded(this.redis.gwQuotaFinish(keys.length, ...keys, ...args));
      finished(batch);
    } catch (err) {
      this.finishFailed(batch, err);
    }
  }

  /** Counts and logs (at most once per `warnEveryMs`) finishes whose script failed: their holds expire instead. */
  private finishFailed(batch: PendingFinish[], err: unknown): void {
    this.failedFinishes += batch.length;
    if (!this.closed && Date.now() - this.lastWarnAt >= (this.options.warnEveryMs ?? 30_000)) {
      this.lastWarnAt = Date.now();
      const what = batch.length === 1 ? `hold ${batch[0].holdId}` : `${batch.length} holds (first ${batch[0].holdId})`;
      this.logger.warn(`quota settle/release of ${what} failed (${(err as Error).message}; ${this.failedFinishes} so far); holds expire on their own`);
    }
    finished(batch);
  }

  /**
   * Waits for the connection while a connect attempt is under way (boot), up to `timeoutMs`; between attempts
   * (`reconnecting`) or after close it fails at once, so callers fail closed without waiting. `patient` waits
   * through reconnect attempts too (boot and tests).
   */
  private async ready(timeoutMs: number, patient = false): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = this.redis.status;
      if (status === 'ready') return;
      const connecting = status === 'connecting' || status === 'connect' || status === 'wait';
      if (this.closed || (!patient && !connecting) || Date.now() >= deadline) {
        throw new Error(`quota Redis unavailable (status ${status})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}
