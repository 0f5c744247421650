/**
 * Quota hold + settlement (issue 10), through the gateway's own quota store: Redis when the gateway runs with
 * REDIS_URL (then a row is harness → Redis, one script each way), else the in-process store (pure CPU). Two counters
 * per call, as a project key with a user quota and a project budget holds. Counters are per run, far from their
 * limits, so every hold is granted.
 */
import { performance } from 'node:perf_hooks';
import { createQuotaStore, type QuotaCounter } from '@gw/metering';
import { percentile } from './stats';
import type { StageRow } from './s4-timer';

export async function quotaStages(redisUrl: string | undefined, iterations: number, warmup: number): Promise<StageRow[]> {
  const store = createQuotaStore({ redisUrl, timeZone: 'UTC', holdTtlMs: 60_000 });
  const run = Date.now().toString(36);
  const limit = { requests: 1_000_000_000, tokens: 1_000_000_000_000, window: 'monthly' as const };
  const counters: QuotaCounter[] = [
    { scope: 'project', key: `{bench-${run}}|p|proj_bench`, limit },
    { scope: 'user', key: `{bench-${run}}|u|proj_bench|bench-user`, limit },
  ];
  const hold: number[] = [];
  const settle: number[] = [];
  try {
    for (let i = 0; i < warmup + iterations; i++) {
      const t0 = performance.now();
      const r = await store.reserve({ holdId: `bench-${run}-${i}`, counters, requests: 1, tokens: 6_000 });
      const t1 = performance.now();
      if (!r.ok) throw new Error(`quota hold refused: ${JSON.stringify(r)}`);
      await store.settle(r.hold, 2_200);
      const t2 = performance.now();
      if (i >= warmup) {
        hold.push(t1 - t0);
        settle.push(t2 - t1);
      }
    }
  } finally {
    await store.close();
  }
  const where = redisUrl ? 'harness → Redis' : 'in-process store';
  const row = (stage: string, ms: number[]): StageRow => ({
    stage,
    body: '–',
    n: ms.length,
    p50Us: percentile(ms, 50) * 1000,
    p99Us: percentile(ms, 99) * 1000,
    meanUs: (ms.reduce((a, b) => a + b, 0) / ms.length) * 1000,
  });
  return [row(`quota hold, 2 counters (${where}; concurrent with the credit reservation)`, hold), row(`quota settle, 2 counters (${where}; after the answer, not awaited)`, settle)];
}
