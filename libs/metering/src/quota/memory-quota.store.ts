import { Logger } from '@nestjs/common';
import { loadSnapshot, SnapshotFile, toSnapshot, type MemoryCounter, type QuotaLogger } from './memory-quota.persistence';
import { planCounters, QUOTA_WINDOW_MARGIN_MS, refusal, wholeTokens, type PlannedCounter } from './quota-rules';
import type { QuotaCounter, QuotaHold, QuotaReserveInput, QuotaReserveResult, QuotaStore, QuotaUsage } from './quota-store';

export interface MemoryQuotaStoreOptions {
  timeZone: string;
  holdTtlMs: number;
  /** JSON snapshot: loaded now, written when dirty at most every `persistEveryMs` and on close. */
  persistPath?: string;
  /** Default 2000 ms: a crash loses at most this much of counting (the calls of the last 2 s are not charged). */
  persistEveryMs?: number;
  /** Clock used when a call gets no `nowMs`, and for dropping old windows (default `Date.now`). */
  now?: () => number;
  logger?: QuotaLogger;
}

const EMPTY = { requests: 0, tokens: 0, held: 0 };

/**
 * Quotas of the embedded mode (one process): the same counters, holds and refusal rule as the Redis store,
 * in maps. Every method runs synchronously between awaits, so each is atomic over all its counters.
 * With `persistPath`, a restart keeps the counts: a snapshot is written at most every `persistEveryMs` when
 * something changed, and on `close()`; a crash loses at most that interval.
 */
export class MemoryQuotaStore implements QuotaStore {
  private readonly counters: Map<string, MemoryCounter>;
  private readonly now: () => number;
  private readonly logger: QuotaLogger;
  private readonly file?: SnapshotFile;
  private readonly timer?: NodeJS.Timeout;
  private dirty = false;
  private closed = false;

  constructor(private readonly options: MemoryQuotaStoreOptions) {
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? new Logger(MemoryQuotaStore.name);
    this.counters = options.persistPath ? loadSnapshot(options.persistPath, this.logger) : new Map();
    if (options.persistPath) this.file = new SnapshotFile(options.persistPath);
    this.timer = setInterval(() => void this.flush(), options.persistEveryMs ?? 2_000);
    this.timer.unref();
  }

  /** Number of counters held (tests, metrics). */
  get size(): number {
    return this.counters.size;
  }

  async reserve(input: QuotaReserveInput): Promise<QuotaReserveResult> {
    const now = input.nowMs ?? this.now();
    const requests = input.requests === 1 ? 1 : 0;
    const tokens = wholeTokens(input.tokens);
    const planned = planCounters(input.counters, now, this.options.timeZone);
    const fresh: PlannedCounter[] = [];
    for (const p of planned) {
      const c = this.touch(p.windowKey, now);
      if (c && (c.holds.has(input.holdId) || c.expired.has(input.holdId))) continue; // a retried reserve
      const refused = refusal(p, c ?? EMPTY, requests, tokens);
      if (refused) return refused;
      fresh.push(p);
    }
    const expiresAtMs = now + this.options.holdTtlMs;
    for (const p of fresh) {
      const c = this.counter(p, now);
      c.requests += requests;
      c.held += tokens;
      c.holds.set(input.holdId, { tokens, expiresAtMs });
    }
    this.dirty = true;
    const entries = planned.map((p) => ({ scope: p.counter.scope, key: p.counter.key, windowKey: p.windowKey, resetAtMs: p.window.resetAtMs }));
    return { ok: true, hold: { holdId: input.holdId, entries, requests, tokens, expiresAtMs } };
  }

  async settle(hold: QuotaHold, actualTokens: number): Promise<void> {
    this.finish(hold, 'settle', (c, held) => {
      if (held !== undefined) c.held -= held;
      c.tokens += wholeTokens(actualTokens);
    });
  }

  async release(hold: QuotaHold): Promise<void> {
    this.finish(hold, 'release', (c, held) => {
      if (held !== undefined) c.held -= held;
      c.requests = Math.max(0, c.requests - hold.requests);
    });
  }

  async usage(counters: QuotaCounter[], nowMs?: number): Promise<QuotaUsage[]> {
    const now = nowMs ?? this.now();
    return planCounters(counters, now, this.options.timeZone).map((p) => {
      const c = this.touch(p.windowKey, now) ?? EMPTY;
      const { limit } = p.counter;
      return {
        scope: p.counter.scope,
        key: p.counter.key,
        window: p.window,
        requests: { used: c.requests, limit: limit.requests },
        tokens: { used: c.tokens, held: c.held, limit: limit.tokens },
      };
    });
  }

  /** Writes the snapshot now if anything changed (also run by the timer). */
  async flush(): Promise<void> {
    this.sweep();
    if (!this.file || !this.dirty) return;
    try {
      await this.file.save(() => {
        this.dirty = false;
        return toSnapshot(this.counters, this.now());
      });
    } catch (err) {
      this.dirty = true;
      this.logger.warn(`quota snapshot not written: ${(err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.flush();
  }

  /** Drops counters whose window ended more than the margin ago. */
  sweep(): void {
    const now = this.now();
    for (const [key, c] of this.counters) {
      if (c.expiresAtMs > now) continue;
      this.counters.delete(key);
      this.dirty = true;
    }
  }

  /** Settle and release: once per hold and counter (the hold's entry is removed), never throws. */
  private finish(hold: QuotaHold, what: string, apply: (c: MemoryCounter, heldTokens: number | undefined) => void): void {
    try {
      for (const e of hold.entries) {
        const c = this.counters.get(e.windowKey);
        const live = c?.holds.get(hold.holdId);
        if (!c || (!live && !c.expired.has(hold.holdId))) continue; // already finished, or the window is gone
        apply(c, live?.tokens);
        c.holds.delete(hold.holdId);
        c.expired.delete(hold.holdId);
        this.dirty = true;
      }
    } catch (err) {
      this.logger.warn(`quota ${what} of hold ${hold.holdId} failed: ${(err as Error).message}`);
    }
  }

  /** The counter (after purging its expired holds), or undefined when it has nothing yet. */
  private touch(windowKey: string, now: number): MemoryCounter | undefined {
    const c = this.counters.get(windowKey);
    if (!c) return undefined;
    for (const [id, h] of c.holds) {
      if (h.expiresAtMs > now) continue;
      c.held -= h.tokens;
      c.holds.delete(id);
      c.expired.add(id);
      this.dirty = true;
    }
    return c;
  }

  private counter(p: PlannedCounter, now: number): MemoryCounter {
    let c = this.counters.get(p.windowKey);
    if (!c) {
      // Lives window end + margin from now on this store's clock, as a Redis key given a relative PEXPIRE.
      const expiresAtMs = this.now() + (p.window.resetAtMs + QUOTA_WINDOW_MARGIN_MS - now);
      c = { requests: 0, tokens: 0, held: 0, expiresAtMs, holds: new Map(), expired: new Set() };
      this.counters.set(p.windowKey, c);
    }
    return c;
  }
}
