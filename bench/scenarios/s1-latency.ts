/**
 * S1 added latency at c=1 (performance.md §6.4): interleaved rounds, targets in random order each round,
 * one keep-alive connection per target, warm-up rounds discarded. Before the rounds each target serves `warmupLoad`
 * requests over 8 connections: a gateway runs thousands of functions that V8 only optimises once they are hot (on
 * this rig a cold replica spends ~2.5x the CPU of a warm one per call for its first ~3,000 calls), and a serving
 * replica is warm. Added = target − direct per percentile,
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
    for (const t of targets) await warmUp(t, body, o.warmupLoad);
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

/** `n` requests to `t` over 8 keep-alive connections (answers not checked: the rounds count errors). */
async function warmUp(t: Target, body: string, n: number): Promise<void> {
  const pool = new Pool(t.origin, { connections: 8 });
  let left = n;
  const worker = async (): Promise<void> => {
    while (left-- > 0) {
      const res = await pool.request({ path: t.path, method: 'POST', headers: t.headers, body, headersTimeout: 10_000, bodyTimeout: 10_000 });
      await res.body.text();
    }
  };
  try {
    await Promise.all(Array.from({ length: 8 }, worker));
  } finally {
    await pool.close();
  }
}
