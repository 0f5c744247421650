/**
 * S6 stream memory (performance.md §6.4): `streams` concurrent long streams per target (thin, gateway), started at
 * `rampPerS` per second; the target's RSS is sampled every second. Reported: idle RSS before, RSS once every stream
 * is open (the median of the samples taken while all were open), MB per 1,000 streams = (that − idle) scaled to 1,000,
 * the peak, and RSS `afterCloseS` after the last stream ended. The mock's stream interval comes from the model name
 * (`-iv<ms>`), so each stream lasts 64 intervals.
 */
import { Pool } from 'undici';
import type { BenchOptions, Target, TargetName } from '../lib/options';
import { rssMb } from '../lib/proc-stats';
import { percentile, sleep } from '../lib/stats';
import { runStream } from '../stream-client';
import { PROTOCOLS } from '../stream-protocols';

export interface S6Row {
  target: TargetName;
  streams: number;
  idleMb: number;
  openMb: number;
  perThousandMb: number;
  peakMb: number;
  afterCloseMb: number;
  /** Streams that did not end normally (HTTP error, error event, timeout). */
  failed: number;
}

export async function runS6(targets: Target[], o: BenchOptions['s6'], model: string): Promise<S6Row[]> {
  const rows: S6Row[] = [];
  for (const t of targets) if (t.name !== 'direct') rows.push(await measure(t, o, model));
  return rows;
}

async function measure(t: Target, o: BenchOptions['s6'], model: string): Promise<S6Row> {
  const streamMs = 64 * o.ivMs;
  const rampMs = (o.streams / o.rampPerS) * 1000;
  const request = {
    path: t.path,
    body: PROTOCOLS.chat.body(model, 'Count slowly.', 256),
    headers: { ...t.headers, ...PROTOCOLS.chat.headers },
    protocol: 'chat' as const,
    timeoutMs: streamMs + rampMs + 30_000,
  };
  const idleMb = rssMb(t.pid);
  const samples: { at: number; mb: number }[] = [];
  const t0 = Date.now();
  const sampler = setInterval(() => samples.push({ at: Date.now() - t0, mb: rssMb(t.pid) }), 1_000);
  const pool = new Pool(t.origin, { connections: o.streams });
  let failed = 0;
  try {
    await Promise.all(
      Array.from({ length: o.streams }, async (_, i) => {
        await sleep((i * 1000) / o.rampPerS);
        const r = await runStream(pool, request);
        if (r.error !== undefined || !r.sawEnd || r.status !== 200) failed++;
      }),
    );
  } finally {
    clearInterval(sampler);
    await pool.destroy();
  }
  // All open: after the ramp and before the first stream can end (its 64 intervals after its start).
  const open = samples.filter((s) => s.at >= rampMs + 500 && s.at <= streamMs - 500).map((s) => s.mb);
  const openMb = open.length > 0 ? percentile(open, 50) : NaN;
  await sleep(o.afterCloseS * 1000);
  return {
    target: t.name,
    streams: o.streams,
    idleMb,
    openMb,
    perThousandMb: ((openMb - idleMb) * 1000) / o.streams,
    peakMb: Math.max(idleMb, ...samples.map((s) => s.mb)),
    afterCloseMb: rssMb(t.pid),
    failed,
  };
}

const f = (n: number): string => (Number.isFinite(n) ? n.toFixed(0) : '–');

export function renderS6(rows: S6Row[]): string {
  const head = '| S6 stream memory | streams | idle RSS (MB) | RSS all open (MB) | MB per 1,000 streams | peak (MB) | RSS after close (MB) | failed |\n|---|---|---|---|---|---|---|---|';
  return [head, ...rows.map((r) => `| ${r.target} | ${r.streams} | ${f(r.idleMb)} | ${f(r.openMb)} | **${f(r.perThousandMb)}** | ${f(r.peakMb)} | ${f(r.afterCloseMb)} | ${r.failed} |`)].join('\n');
}
