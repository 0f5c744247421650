/**
 * Per-call timing of in-process stages (S4 part 1): each stage runs its warm-up, then its measured calls in
 * rounds, the stages in a fresh random order each round, so that a burst of foreign load on a shared box lands
 * on all stages rather than on whichever ran at that moment. Every call is timed on its own
 * (performance.now() around it): the percentiles are per call, GC pauses included. The empty stage measures the
 * timer itself; stages cheaper than a few times that are at the resolution limit.
 */
import { performance } from 'node:perf_hooks';
import { percentile, shuffle } from './stats';

export interface Stage {
  stage: string;
  /** Body size or '–' when the stage does not depend on the body. */
  body: string;
  /** One call; a returned promise is awaited (and its time counted). */
  run: () => unknown;
  async?: boolean;
}

export interface StageRow {
  stage: string;
  body: string;
  n: number;
  p50Us: number;
  p99Us: number;
  meanUs: number;
}

export interface TimerOptions {
  warmup: number;
  iterations: number;
  rounds: number;
}

/** Keeps results alive so the optimiser cannot drop a call whose value is unused. */
let sink: unknown;

function syncBatch(fn: () => unknown, n: number, out: number[]): void {
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    sink = fn();
    out.push(performance.now() - t0);
  }
}

async function asyncBatch(fn: () => unknown, n: number, out: number[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    sink = await fn();
    out.push(performance.now() - t0);
  }
}

export const EMPTY_STAGE: Stage = { stage: 'timer only (empty call)', body: '–', run: () => sink };

export async function timeStages(stages: Stage[], o: TimerOptions): Promise<StageRow[]> {
  const samples = new Map<Stage, number[]>(stages.map((s) => [s, []]));
  const scratch: number[] = [];
  for (const s of stages) {
    scratch.length = 0;
    if (s.async) await asyncBatch(s.run, o.warmup, scratch);
    else syncBatch(s.run, o.warmup, scratch);
  }
  const perRound = Math.ceil(o.iterations / o.rounds);
  for (let r = 0; r < o.rounds; r++) {
    for (const s of shuffle(stages)) {
      if (s.async) await asyncBatch(s.run, perRound, samples.get(s)!);
      else syncBatch(s.run, perRound, samples.get(s)!);
    }
    // Let timers and I/O of the process run between rounds (nothing else is scheduled while a batch runs).
    await new Promise((resolve) => setImmediate(resolve));
  }
  void sink;
  return stages.map((s) => {
    const ms = samples.get(s)!;
    const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
    return { stage: s.stage, body: s.body, n: ms.length, p50Us: percentile(ms, 50) * 1000, p99Us: percentile(ms, 99) * 1000, meanUs: mean * 1000 };
  });
}
