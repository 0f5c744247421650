/**
 * S5 streaming (performance.md §6.4). Stream types: direct (client → mock chat stream), thin (the floor) and the
 * gateway once per protocol (chat, responses, messages), all against the same mock. A probe stream per type
 * first (a type that fails it, e.g. an endpoint not built yet, is dropped with a note); then c=1 rounds of one
 * stream per type in random order, warm-up discarded; then the concurrent step (s5-concurrent.ts).
 * TTFT = time to the first content event; gaps = time between content events; frames lost = content deltas
 * the mock sent that did not arrive as content events.
 */
import { Pool } from 'undici';
import type { BenchOptions, Target } from '../lib/options';
import { shuffle } from '../lib/stats';
import { runStream, type StreamResult } from '../stream-client';
import { runConcurrent } from './s5-concurrent';
import { addDeltas, streamTargets, summarise, type S5Row, type StreamTarget } from './s5-summary';

export interface S5Result {
  expectedContentFrames: number;
  ivMs: number;
  concurrentIvMs: number;
  rampMs: number;
  /** c=1 rows first, then the concurrent step's rows by concurrency. */
  rows: S5Row[];
  notes: string[];
}

export interface S5Context {
  model: string;
  /** Same mock stream at `o.concurrentIvMs` (the mock reads the interval from the model name). */
  concurrentModel: string;
  /** The load core, for the rig-bound check of the concurrent step (undefined when not pinned). */
  loadCpu?: number;
  /** Lets the targets go idle between concurrent windows (the gateway may drain audit work). */
  settle: (pids: number[]) => Promise<void>;
}

export async function runS5(targets: Target[], o: BenchOptions['s5'], ctx: S5Context): Promise<S5Result> {
  const timeoutMs = o.chunks * o.ivMs + 30_000;
  const out: S5Result = { expectedContentFrames: o.chunks, ivMs: o.ivMs, concurrentIvMs: o.concurrentIvMs, rampMs: o.rampMs, rows: [], notes: [] };
  const pools = new Map<StreamTarget, Pool>();
  const live: StreamTarget[] = [];
  try {
    for (const st of streamTargets(targets, ctx.model, timeoutMs).filter((t) => !o.types || o.types.has(t.type))) {
      const pool = new Pool(st.target.origin, { connections: 1 });
      pools.set(st, pool);
      const probe = await runStream(pool, st.request);
      const problem = probe.error ?? (probe.contentFrames === 0 ? 'no content event' : undefined);
      if (problem === undefined) {
        live.push(st);
        continue;
      }
      if (st.type === 'direct') throw new Error(`S5: the mock's stream failed its probe: ${problem}`);
      out.notes.push(`S5 ${st.type} (${st.request.path}) skipped: probe stream failed: ${problem}`);
    }
    const results = new Map<StreamTarget, StreamResult[]>(live.map((st) => [st, []]));
    for (let round = 0; round < o.warmup + o.streams; round++) {
      for (const st of shuffle(live)) {
        const r = await runStream(pools.get(st)!, st.request);
        if (round >= o.warmup) results.get(st)!.push(r);
      }
    }
    out.rows.push(...live.map((st) => summarise(st, 1, results.get(st)!, o.chunks)));
  } finally {
    await Promise.all([...pools.values()].map((p) => p.destroy()));
  }
  const liveTypes = new Set(live.map((st) => st.type));
  const slow = streamTargets(targets, ctx.concurrentModel, o.chunks * o.concurrentIvMs + 30_000).filter((st) => liveTypes.has(st.type));
  // One unmeasured window per target process at the highest level first: the first window a process serves at this
  // load grows its young generation and its pools and compiles the concurrent paths, and with the order shuffled that
  // cost fell on whichever of the gateway's types came first (as S3's first window did, docs/architecture.md).
  const warmed = new Set<number>();
  for (const st of o.concurrency.length ? slow : []) {
    if (warmed.has(st.target.pid)) continue;
    warmed.add(st.target.pid);
    await ctx.settle([st.target.pid, ...st.target.helperPids]);
    await runConcurrent(st, Math.max(...o.concurrency), o, ctx.loadCpu);
  }
  let seq = 0;
  for (const n of o.concurrency) {
    // Random order per level too, so a slow drift of the box does not always hit the same type.
    for (const st of shuffle(slow)) {
      await ctx.settle([st.target.pid, ...st.target.helperPids]);
      out.rows.push({ ...(await runConcurrent(st, n, o, ctx.loadCpu)), seq: seq++ });
    }
  }
  addDeltas(out.rows);
  return out;
}
