/**
 * S8 soak (performance.md §6.4): a steady open-loop load at a fraction (50 %) of the S3 ceiling for a long window
 * (10 min by default). Reports the leak rate (slope of the target's RSS, sampled every second after the warm-up,
 * in MiB/min), p99 per minute and its drift (last minute − first), Redis memory growth (INFO memory of the whole
 * instance, plus the key count of the gateway's db) and Postgres growth (database, audit_event, credit_ledger).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pacedLoad } from '../lib/paced-load';
import { sampleRss, slope, storeSizes, type StoreSizes } from '../lib/soak-probes';
import { percentile } from '../lib/stats';
import type { BenchOptions, Target } from '../lib/options';
import { runS3, type S3Window } from './s3-saturation';

export interface S8Options {
  durationS: number;
  warmupS: number;
  /** Offered load, requests per second. */
  rps: number;
  /** Where the ceiling came from (measured S3, or `--ceiling`). */
  ceiling: { rps: number; source: string };
  databaseUrl?: string;
  redisUrl?: string;
}

export interface S8Result {
  rps: number;
  ceiling: { rps: number; source: string };
  durationS: number;
  requests: number;
  achievedRps: number;
  errors: Record<string, number>;
  skipped: number;
  rss: { startMiB: number; endMiB: number; slopeMiBPerMin: number };
  p99PerMinuteMs: number[];
  p99DriftMs: number;
  before: StoreSizes;
  after: StoreSizes;
}

const MIB = 1024 * 1024;

export async function runS8(t: Target, body: string, o: S8Options): Promise<S8Result> {
  const before = await storeSizes(o.databaseUrl, o.redisUrl);
  const rss = sampleRss(t.pid);
  const load = await pacedLoad({ origin: t.origin, path: t.path, headers: t.headers, body, rps: o.rps, durationS: o.durationS });
  const rssSamples = rss.stop();
  const after = await storeSizes(o.databaseUrl, o.redisUrl);
  const measured = rssSamples.filter((s) => s.t >= o.warmupS);
  const perMinute: number[] = [];
  for (let m = 0; m * 60 < o.durationS; m++) {
    const ms = load.samples.filter((s) => s.t >= m * 60 && s.t < (m + 1) * 60 && s.ok).map((s) => s.ms);
    if (ms.length > 0) perMinute.push(percentile(ms, 99));
  }
  return {
    rps: o.rps,
    ceiling: o.ceiling,
    durationS: o.durationS,
    requests: load.samples.length,
    achievedRps: load.samples.length / o.durationS,
    errors: Object.fromEntries(load.errors),
    skipped: load.skipped,
    rss: {
      startMiB: measured[0]?.mib ?? NaN,
      endMiB: measured.at(-1)?.mib ?? NaN,
      slopeMiBPerMin: slope(measured.map((s) => ({ x: s.t / 60, y: s.mib }))),
    },
    p99PerMinuteMs: perMinute,
    p99DriftMs: perMinute.length > 1 ? perMinute[perMinute.length - 1] - perMinute[0] : NaN,
    before,
    after,
  };
}

const f = (n: number, d = 1): string => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

export function renderS8(r: S8Result): string {
  const grow = (k: keyof StoreSizes, unit = MIB): string => f((r.after[k] - r.before[k]) / unit, 2);
  const errs = Object.entries(r.errors).map(([k, v]) => `${k}×${v}`).join(', ') || 'none';
  return [
    `### S8 soak: ${r.durationS} s at ${Math.round(r.rps)} RPS (50 % of a ${Math.round(r.ceiling.rps)} RPS ceiling, ${r.ceiling.source})`,
    '',
    '| Figure | Value |',
    '|---|---|',
    `| Requests (achieved RPS) | ${r.requests} (${f(r.achievedRps)}) |`,
    `| Errors / not started (target behind) | ${errs} / ${r.skipped} |`,
    `| RSS after warm-up → end, MiB | ${f(r.rss.startMiB)} → ${f(r.rss.endMiB)} |`,
    `| **RSS growth (regression), MiB/min** | **${f(r.rss.slopeMiBPerMin, 2)}** |`,
    `| p99 per minute, ms | ${r.p99PerMinuteMs.map((x) => f(x)).join(', ')} |`,
    `| p99 drift (last − first minute), ms | ${f(r.p99DriftMs)} |`,
    `| Redis used_memory growth (whole instance), MiB / keys in the gateway's db | ${grow('redisUsedBytes')} / ${f(r.before.redisKeys, 0)} → ${f(r.after.redisKeys, 0)} |`,
    `| Postgres database growth, MiB | ${grow('databaseBytes')} |`,
    `| audit_event / credit_ledger growth, MiB | ${grow('auditBytes')} / ${grow('ledgerBytes')} |`,
    `| audit rows added (bytes per row, table + indexes) | ${f(r.after.auditRows - r.before.auditRows, 0)} (${f((r.after.auditBytes - r.before.auditBytes) / (r.after.auditRows - r.before.auditRows), 0)}) |`,
  ].join('\n');
}

/**
 * The harness step: the ceiling is `--ceiling`, else the best gateway RPS of this run's S3, else a short S3 on the
 * gateway alone (c=64, 10 s); then the soak at half of it. Stores: DATABASE_URL/REDIS_URL of BENCH_GATEWAY_ENV
 * (production.sh), else the embedded database of the gateway's DATA_DIR/runtime.json.
 */
export async function runS8Step(o: BenchOptions, targets: Target[], body: string, s3: S3Window[] | undefined, dataDir: string | undefined, log: (m: string) => void): Promise<S8Result | undefined> {
  const gw = targets.find((t) => t.name === 'gateway');
  if (!gw) return undefined;
  let ceiling: S8Options['ceiling'];
  const fromS3 = Math.max(...(s3 ?? []).filter((w) => w.target === 'gateway' && w.errors / Math.max(1, w.completed) < 0.01).map((w) => w.rps));
  if (o.s8.ceiling !== undefined) ceiling = { rps: o.s8.ceiling, source: '--ceiling' };
  else if (Number.isFinite(fromS3)) ceiling = { rps: fromS3, source: 'S3 of this run' };
  else {
    log('S8: measuring the S3 ceiling of the gateway (c=64, 10 s)');
    const [w] = await runS3([gw], body, { ...o.s3, conns: [64], durationS: 10, warmupS: 2 }, undefined);
    ceiling = { rps: w.rps, source: 'S3 c=64 10 s measured before the soak' };
  }
  let databaseUrl: string | undefined = o.gateway.env.DATABASE_URL;
  if (!databaseUrl && dataDir && existsSync(join(dataDir, 'runtime.json'))) {
    databaseUrl = (JSON.parse(readFileSync(join(dataDir, 'runtime.json'), 'utf8')) as { databaseUrl?: string }).databaseUrl;
  }
  const rps = ceiling.rps / 2;
  log(`S8: ${o.s8.durationS} s at ${Math.round(rps)} RPS (ceiling ${Math.round(ceiling.rps)}, ${ceiling.source})`);
  return runS8(gw, body, { durationS: o.s8.durationS, warmupS: o.s8.warmupS, rps, ceiling, databaseUrl, redisUrl: o.gateway.env.REDIS_URL });
}
