/**
 * S6 stream memory (performance.md §6.4): `streams` concurrent long streams per target (thin, gateway), started at
 * `rampPerS` per second; the target's RSS is sampled every second. Reported: idle RSS before, RSS once every stream
 * is open (the median of the samples taken while all were open), MB per 1,000 streams = (that − idle) scaled to 1,000,
 * the peak, and RSS `afterCloseS` after the last stream ended. The mock's stream interval comes from the model name
 * (`-iv<ms>`), so each stream lasts 64 intervals.
 *
 * The streams start in two halves, `stepGapS` apart, so the RSS is also read with half of them open: the marginal
 * MB per 1,000 streams, (all open − half open) scaled, leaves out what a process grows once under any load (V8's
 * young generation grows to its 64 MB semi-space under allocation: ~40 MB of the all-open − idle figure, thirteenth
 * session), which the all-open − idle figure charges to the streams.
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
  /** RSS with the first half open (median of its plateau), and (all open − that) per 1,000 of the second half. */
  halfMb: number;
  marginalPerThousandMb: number;
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
  const half = Math.floor(o.streams / 2);
  const halfRampMs = (half / o.rampPerS) * 1000;
  const gapMs = o.stepGapS * 1000;
  /** When stream `i` starts: the first half from 0, the second `gapMs` after the first half's ramp ends. */
  const startMs = (i: number): number => (i * 1000) / o.rampPerS + (i >= half ? gapMs : 0);
  const rampMs = startMs(o.streams - 1);
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
  const sampler = setInterval(() => samples.push({ at: Date.now() - t0, mb: rssMb(t.pid) }), 250);
  const pool = new Pool(t.origin, { connections: o.streams });
  let failed = 0;
  try {
    await Promise.all(
      Array.from({ length: o.streams }, async (_, i) => {
        await sleep(startMs(i));
        const r = await runStream(pool, request);
        if (r.error !== undefined || !r.sawEnd || r.status !== 200) failed++;
      }),
    );
  } finally {
    clearInterval(sampler);
    await pool.destroy();
  }
  // All open: after the ramp and before the first stream can end (its 64 intervals after its start).
  const plateau = (from: number, to: number): number => {
    const mbs = samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.mb);
    return mbs.length > 0 ? percentile(mbs, 50) : NaN;
  };
  const openMb = plateau(rampMs + 500, streamMs - 500);
  const halfMb = plateau(halfRampMs + 500, halfRampMs + gapMs);
  await sleep(o.afterCloseS * 1000);
  return {
    target: t.name,
    streams: o.streams,
    idleMb,
    openMb,
    perThousandMb: ((openMb - idleMb) * 1000) / o.streams,
    halfMb,
    marginalPerThousandMb: ((openMb - halfMb) * 1000) / (o.streams - half),
    peakMb: Math.max(idleMb, ...samples.map((s) => s.mb)),
    afterCloseMb: rssMb(t.pid),
    failed,
  };
}

const f = (n: number): string => (Number.isFinite(n) ? n.toFixed(0) : '–');

export function renderS6(rows: S6Row[]): string {
  const head =
    '| S6 stream memory | streams | idle RSS (MB) | RSS half open (MB) | RSS all open (MB) | MB per 1,000 streams (all open − idle) | marginal MB per 1,000 (all − half open) | peak (MB) | RSS after close (MB) | failed |\n|---|---|---|---|---|---|---|---|---|---|';
  const row = (r: S6Row): string =>
    `| ${r.target} | ${r.streams} | ${f(r.idleMb)} | ${f(r.halfMb)} | ${f(r.openMb)} | **${f(r.perThousandMb)}** | **${f(r.marginalPerThousandMb)}** | ${f(r.peakMb)} | ${f(r.afterCloseMb)} | ${r.failed} |`;
  return [head, ...rows.map(row)].join('\n');
}
