/**
 * A preload (`node -r dist/bench/runtime-counts.js …`) that counts what the process's calls cost the runtime: async
 * resources created by type (promises, `process.nextTick`s, timers, immediates), HTTP requests received, and garbage
 * collections (count and milliseconds, minor and major). On SIGUSR2 it writes the running totals as one JSON object
 * to `$GW_COUNTS_FILE`; `bench/ab.sh` (`BENCH_AB_COUNT=1`) reads them before and after each window and divides by the
 * requests served in it. Counts, unlike CPU time on a shared VM, repeat from run to run, so a change that removes a
 * promise or a timer per call shows up at once (issue 12). The `async_hooks` init hook costs CPU itself: compare the
 * CPU figures of two builds only when both run with this preload.
 */
import { createHook } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

/** The running totals written on SIGUSR2. */
export interface RuntimeCounts {
  requests: number;
  promises: number;
  ticks: number;
  timers: number;
  immediates: number;
  otherAsync: number;
  gcMinor: number;
  gcMinorMs: number;
  gcMajor: number;
  gcMajorMs: number;
}

const totals: RuntimeCounts = { requests: 0, promises: 0, ticks: 0, timers: 0, immediates: 0, otherAsync: 0, gcMinor: 0, gcMinorMs: 0, gcMajor: 0, gcMajorMs: 0 };

createHook({
  init(_id: number, type: string): void {
    if (type === 'PROMISE') totals.promises++;
    else if (type === 'TickObject') totals.ticks++;
    else if (type === 'Timeout') totals.timers++;
    else if (type === 'Immediate') totals.immediates++;
    else totals.otherAsync++;
  },
}).enable();

subscribe('http.server.request.start', () => {
  totals.requests++;
});

new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
      totals.gcMinor++;
      totals.gcMinorMs += e.duration;
    } else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR || kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) {
      totals.gcMajor++;
      totals.gcMajorMs += e.duration;
    }
  }
}).observe({ entryTypes: ['gc'] });

const file = process.env.GW_COUNTS_FILE;
if (file) process.on('SIGUSR2', () => writeFileSync(file, JSON.stringify(totals)));
