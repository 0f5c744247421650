/**
 * S5 concurrent step (performance.md §6.4): N streams of one stream type open at once, their starts spread
 * evenly over the ramp (the streams, at the slower `concurrentIvMs`, outlast it), same checks as at c=1. One window per (type, N); the load core's busy fraction is
 * recorded because the mock and this client share it and 500 streams can saturate it (then TTFT is the rig's),
 * and the target process's CPU per stream (per delta = ÷ the stream's deltas) is what streaming costs it. For the
 * gateway, two scrapes of its /metrics give its own view of the window: TTFT from arrival, and admission's round trip.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { BenchOptions } from '../lib/options';
import { busyFraction, coreSample, processCpuMicros } from '../lib/proc-stats';
import { scrape, windowOf } from '../lib/scraped-histograms';
import { sleep } from '../lib/stats';
import { runStream } from '../stream-client';
import { summarise, type S5Row, type StreamTarget } from './s5-summary';

export async function runConcurrent(st: StreamTarget, n: number, o: BenchOptions['s5'], loadCpu?: number): Promise<S5Row> {
  // One connection per stream (SSE responses cannot share an HTTP/1.1 connection), all fresh: every stream's
  // TTFT includes its TCP connect, alike for every type.
  const pool = new Pool(st.target.origin, { connections: n });
  const request = { ...st.request, timeoutMs: st.request.timeoutMs + o.rampMs };
  const before = loadCpu === undefined ? undefined : coreSample(loadCpu);
  const gateway = st.target.name === 'gateway';
  const scraped0 = gateway ? await scrape(st.target.origin) : undefined;
  const cpu0 = processCpuMicros(st.target.pid);
  try {
    const t0 = performance.now();
    const streams = Array.from({ length: n }, async (_, i) => {
      await sleep((i * o.rampMs) / n);
      const startMs = performance.now() - t0;
      return { startMs, r: await runStream(pool, request) };
    });
    const timed = await Promise.all(streams);
    const results = timed.map((x) => x.r);
    // BENCH_S5_DUMP=<dir>: each stream's start (ms into the window), TTFT and start (epoch ms), one JSON file per window, to see whether
    // a TTFT tail is a few stalls (clustered starts) or spread over the window.
    const dump = process.env.BENCH_S5_DUMP;
    if (dump) writeFileSync(join(dump, `s5-${st.type}-${n}-${Date.now()}.json`), JSON.stringify(timed.map((x) => [Math.round(x.startMs * 10) / 10, Math.round(x.r.ttftMs * 100) / 100, Math.round((performance.timeOrigin + t0 + x.startMs) * 10) / 10])));
    const busy = loadCpu === undefined ? NaN : busyFraction(before, coreSample(loadCpu));
    // The target's own CPU while its n streams ran (the gateway's control thread included in the embedded mode).
    const row = summarise(st, n, results, o.chunks, busy, (processCpuMicros(st.target.pid) - cpu0) / n);
    const scraped1 = scraped0 && (await scrape(st.target.origin));
    if (scraped0 && scraped1) {
      const of = (name: string) => windowOf(scraped0.histograms.get(name), scraped1.histograms.get(name));
      const loop = (p: string) => (scraped1.values.get(`gateway_nodejs_eventloop_lag_${p}_seconds`) ?? NaN) * 1000;
      row.gatewaySeen = {
        ttft: of('gateway_ttft_seconds'),
        admission: of('gateway_admission_seconds'),
        gc: of('gateway_nodejs_gc_duration_seconds'),
        loopDelayMs: { p50: loop('p50'), p99: loop('p99'), max: loop('max') },
      };
    }
    return row;
  } finally {
    await pool.destroy();
  }
}
