/**
 * S1 added latency at c=1 (performance.md §6.4): interleaved rounds, targets in random order each round,
 * one keep-alive connection per target, warm-up rounds discarded. Added = target − direct per percentile,
 * with the IQR across rounds of the per-round median difference.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { BenchOptions, Target, TargetName } from '../lib/options';
import { iqr, minus, pcts, percentile, shuffle, type Pcts } from '../lib/stats';

export interface S1Result {
  latency: Partial<Record<TargetName, Pcts & { errors: number }>>;
  added: Partial<Record<TargetName, Pcts & { roundIqr: [number, number] }>>;
  samplesMs: Partial<Record<TargetName, number[]>>;
}

export async function runS1(targets: Target[], body: string, o: BenchOptions['s1']): Promise<S1Result> {
  const pools = new Map(targets.map((t) => [t.name, new Pool(t.origin, { connections: 1 })]));
  const samples = new Map<TargetName, number[]>(targets.map((t) => [t.name, []]));
  const rounds = new Map<TargetName, number[]>(targets.map((t) => [t.name, []]));
  const errors = new Map<TargetName, number>(targets.map((t) => [t.name, 0]));
  try {
    for (let round = 0; round < o.warmupRounds + o.rounds; round++) {
      for (const t of shuffle(targets)) {
        const pool = pools.get(t.name)!;
        const mine: number[] = [];
        for (let i = 0; i < o.perRound; i++) {
          const t0 = performance.now();
          const res = await pool.request({ path: t.path, method: 'POST', headers: t.headers, body, headersTimeout: 10_000, bodyTimeout: 10_000 });
          await res.body.text();
          const ms = performance.now() - t0;
          if (res.statusCode < 200 || res.statusCode > 299) errors.set(t.name, errors.get(t.name)! + 1);
          else mine.push(ms);
        }
        if (round < o.warmupRounds) continue;
        samples.get(t.name)!.push(...mine);
        rounds.get(t.name)!.push(percentile(mine, 50));
      }
    }
  } finally {
    await Promise.all([...pools.values()].map((p) => p.close()));
  }
  const result: S1Result = { latency: {}, added: {}, samplesMs: {} };
  const direct = pcts(samples.get('direct') ?? []);
  for (const t of targets) {
    const s = samples.get(t.name)!;
    result.samplesMs[t.name] = s.map((v) => Math.round(v * 1000) / 1000);
    result.latency[t.name] = { ...pcts(s), errors: errors.get(t.name)! };
    if (t.name === 'direct') continue;
    const perRound = rounds.get(t.name)!.map((v, i) => v - rounds.get('direct')![i]);
    result.added[t.name] = { ...minus(pcts(s), direct), roundIqr: iqr(perRound) };
  }
  return result;
}
