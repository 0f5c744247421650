/**
 * S4 part 2 over HTTP: the rungs at c=1 in interleaved rounds (as S1: a fresh random order of rungs each round,
 * one keep-alive connection per rung, warm-up rounds discarded, per-round medians kept for the IQR of the
 * differences), then CPU µs per request of each rung's process at c=8 (as S3: wrk/autocannon on the load core,
 * /proc utime+stime delta ÷ completed requests).
 */
import { performance } from 'node:perf_hooks';
import { Pool, request } from 'undici';
import { runLoad, type LoadTool } from './load-tools';
import type { Target } from './options';
import { busyFraction, coreSample, processCpuMicros, waitIdle } from './proc-stats';
import { pcts, percentile, shuffle, type Pcts } from './stats';

export interface Rung {
  label: string;
  /** What this rung adds to (or removes from) its reference. */
  adds: string;
  /** Label of the rung the Δ columns compare against. */
  reference?: string;
  /** Label of the thin-proxy rung with the same body (the "added vs floor" column). */
  floor?: string;
  target: Target;
  path: string;
  body: string;
  /** Headers of one request (called per request: the free tier needs a fresh device each time). */
  headers: () => Record<string, string>;
  /** Same headers on every request, so wrk/autocannon can load it at c=8. */
  fixedHeaders: boolean;
}

export interface RungC1 {
  latency: Pcts & { errors: number };
  /** Per measured round: the median (ms). */
  roundMedians: number[];
}

export interface RungCpu {
  completed: number;
  errors: number;
  rps: number;
  cpuUsPerReq: number;
  loadCoreBusy: number;
  foreignOnTargetCore: number;
}

/** One request per rung, before anything is timed; returns the failure message or undefined. */
export async function probeRung(r: Rung): Promise<string | undefined> {
  try {
    const res = await request(`${r.target.origin}${r.path}`, { method: 'POST', headers: r.headers(), body: r.body, headersTimeout: 15_000, bodyTimeout: 15_000 });
    const text = await res.body.text();
    return res.statusCode >= 200 && res.statusCode < 300 ? undefined : `HTTP ${res.statusCode}: ${text.slice(0, 200)}`;
  } catch (err) {
    return String(err);
  }
}

export async function runC1(rungs: Rung[], o: { warmupRounds: number; rounds: number; perRound: number }): Promise<Map<Rung, RungC1>> {
  const pools = new Map(rungs.map((r) => [r, new Pool(r.target.origin, { connections: 1 })]));
  const samples = new Map<Rung, number[]>(rungs.map((r) => [r, []]));
  const medians = new Map<Rung, number[]>(rungs.map((r) => [r, []]));
  const errors = new Map<Rung, number>(rungs.map((r) => [r, 0]));
  try {
    for (let round = 0; round < o.warmupRounds + o.rounds; round++) {
      for (const r of shuffle(rungs)) {
        const pool = pools.get(r)!;
        const mine: number[] = [];
        for (let i = 0; i < o.perRound; i++) {
          const headers = r.headers();
          const t0 = performance.now();
          const res = await pool.request({ path: r.path, method: 'POST', headers, body: r.body, headersTimeout: 10_000, bodyTimeout: 10_000 });
          await res.body.text();
          const ms = performance.now() - t0;
          if (res.statusCode < 200 || res.statusCode > 299) errors.set(r, errors.get(r)! + 1);
          else mine.push(ms);
        }
        if (round < o.warmupRounds) continue;
        samples.get(r)!.push(...mine);
        medians.get(r)!.push(percentile(mine, 50));
      }
    }
  } finally {
    await Promise.all([...pools.values()].map((p) => p.close()));
  }
  return new Map(rungs.map((r) => [r, { latency: { ...pcts(samples.get(r)!), errors: errors.get(r)! }, roundMedians: medians.get(r)! }]));
}

export interface CpuOptions {
  tool: LoadTool;
  connections: number;
  durationS: number;
  warmupS: number;
  cores?: { load: number; target: number };
  idleMs: number;
}

/** CPU µs per request at c=`connections` of each rung with fixed headers (in a random order). */
export async function runCpu(rungs: Rung[], o: CpuOptions): Promise<Map<Rung, RungCpu>> {
  const out = new Map<Rung, RungCpu>();
  for (const r of shuffle(rungs.filter((x) => x.fixedHeaders))) {
    await waitIdle([r.target.pid, ...r.target.helperPids], o.idleMs);
    const t: Target = { ...r.target, path: r.path, headers: r.headers() };
    await runLoad(o.tool, t, r.body, o.connections, o.warmupS, o.cores?.load);
    const cpu0 = processCpuMicros(r.target.pid);
    const load0 = o.cores && coreSample(o.cores.load);
    const target0 = o.cores && coreSample(o.cores.target);
    const res = await runLoad(o.tool, t, r.body, o.connections, o.durationS, o.cores?.load);
    const busy = busyFraction(load0, o.cores && coreSample(o.cores.load));
    const targetBusy = busyFraction(target0, o.cores && coreSample(o.cores.target));
    const cpuUs = processCpuMicros(r.target.pid) - cpu0;
    const completed = res.ok + res.non2xx;
    out.set(r, {
      completed,
      errors: res.errors + res.non2xx,
      rps: res.ok / res.durationS,
      cpuUsPerReq: completed > 0 ? cpuUs / completed : NaN,
      loadCoreBusy: busy,
      // The mock (direct) lives on the load core: only meaningful for the others.
      foreignOnTargetCore: r.target.name === 'direct' ? NaN : targetBusy - cpuUs / (res.durationS * 1e6),
    });
  }
  return out;
}
