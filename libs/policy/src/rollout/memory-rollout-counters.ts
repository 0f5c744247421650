import type { WindowCounts } from '../engine';
import { batchWindow, counterKey, counterTtlMs, type CounterBatch, type RolloutCounters } from './rollout-counters';

interface Bucket extends WindowCounts {
  /** Minute after which the bucket is dropped (the counters' own time: bucket numbers, never the wall clock). */
  dropAfter: number;
}

/** {@link RolloutCounters} of one process (embedded mode): the same buckets and windows as Redis, in a Map. */
export class MemoryRolloutCounters implements RolloutCounters {
  private readonly buckets = new Map<string, Bucket>();
  private newest = 0;

  async addAndRead(batches: readonly CounterBatch[]): Promise<WindowCounts[]> {
    const answers = batches.map((b) => {
      const window = batchWindow(b);
      const first = window[0];
      for (const inc of b.increments) {
        if (inc.bucket < first) continue;
        const key = counterKey('', b.scope, inc.bucket);
        const cur = this.buckets.get(key) ?? { total: 0, hits: 0, dropAfter: inc.bucket + Math.ceil(counterTtlMs(b.windowMinutes) / 60_000) };
        cur.total += inc.total;
        cur.hits += inc.hits;
        this.buckets.set(key, cur);
        this.newest = Math.max(this.newest, inc.bucket);
      }
      const sum = { total: 0, hits: 0 };
      for (const bucket of window) {
        const c = this.buckets.get(counterKey('', b.scope, bucket));
        sum.total += c?.total ?? 0;
        sum.hits += c?.hits ?? 0;
      }
      return sum;
    });
    this.prune();
    return answers;
  }

  /** Buckets held (tests). */
  get size(): number {
    return this.buckets.size;
  }

  async close(): Promise<void> {
    this.buckets.clear();
  }

  private prune(): void {
    for (const [key, b] of this.buckets) if (b.dropAfter < this.newest) this.buckets.delete(key);
  }
}
