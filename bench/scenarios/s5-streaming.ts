/**
 * S5 streaming at c=1 (performance.md §6.4): rounds of one stream per target in random order, warm-up
 * discarded. TTFT = time to the first content delta; gaps = time between content deltas; frames lost =
 * content deltas the mock sent that did not arrive.
 */
import { Pool } from 'undici';
import type { BenchOptions, Target, TargetName } from '../lib/options';
import { minus, pcts, shuffle, type Pcts } from '../lib/stats';
import { runStream, type StreamResult } from '../stream-client';

export interface S5Target {
  ttftMs: Pcts;
  gapMs: Pcts;
  streams: number;
  framesLost: number;
  missingDone: number;
  errors: string[];
}

export interface S5Result {
  expectedContentFrames: number;
  perTarget: Partial<Record<TargetName, S5Target>>;
  added: Partial<Record<TargetName, { ttftMs: Pcts; gapMs: Pcts }>>;
}

export async function runS5(targets: Target[], body: string, o: BenchOptions['s5']): Promise<S5Result> {
  const pools = new Map(targets.map((t) => [t.name, new Pool(t.origin, { connections: 1 })]));
  const results = new Map<TargetName, StreamResult[]>(targets.map((t) => [t.name, []]));
  const timeoutMs = o.chunks * o.ivMs + 30_000;
  try {
    for (let round = 0; round < o.warmup + o.streams; round++) {
      for (const t of shuffle(targets)) {
        const r = await runStream(pools.get(t.name)!, t.path, body, t.headers, timeoutMs);
        if (round >= o.warmup) results.get(t.name)!.push(r);
      }
    }
  } finally {
    await Promise.all([...pools.values()].map((p) => p.destroy()));
  }
  const out: S5Result = { expectedContentFrames: o.chunks, perTarget: {}, added: {} };
  for (const t of targets) {
    const rs = results.get(t.name)!;
    out.perTarget[t.name] = {
      ttftMs: pcts(rs.filter((r) => !r.error).map((r) => r.ttftMs)),
      gapMs: pcts(rs.flatMap((r) => r.gapsMs)),
      streams: rs.length,
      framesLost: rs.reduce((n, r) => n + Math.max(0, o.chunks - r.contentFrames), 0),
      missingDone: rs.filter((r) => !r.sawDone).length,
      errors: [...new Set(rs.flatMap((r) => (r.error ? [r.error] : [])))],
    };
  }
  const direct = out.perTarget.direct;
  for (const t of targets) {
    const mine = out.perTarget[t.name];
    if (t.name === 'direct' || !direct || !mine) continue;
    out.added[t.name] = { ttftMs: minus(mine.ttftMs, direct.ttftMs), gapMs: minus(mine.gapMs, direct.gapMs) };
  }
  return out;
}
