/**
 * S5 concurrent step (performance.md §6.4): N streams of one stream type open at once, their starts spread
 * evenly over the ramp (the streams, at the slower `concurrentIvMs`, outlast it), same checks as at c=1. One window per (type, N); the load core's busy fraction is
 * recorded because the mock and this client share it and 500 streams can saturate it (then TTFT is the rig's),
 * and the target process's CPU per stream (per delta = ÷ the stream's deltas) is what streaming costs it. For the
 * gateway, two scrapes of its /metrics give its own view of the window: TTFT from arrival, and admission's round trip.
 */
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
    const streams = Array.from({ length: n }, async (_, i) => {
      await sleep((i * o.rampMs) / n);
      return runStream(pool, request);
    });
    const results = await Promise.all(streams);
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
