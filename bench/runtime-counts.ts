/**
 * A preload (`node -r dist/bench/runtime-counts.js …`) that counts what the process's calls cost the runtime: async
 * resources created by type (promises, `process.nextTick`s, timers, immediates), HTTP requests received, and garbage
 * collections (count and milliseconds, minor and major). On SIGUSR2 it writes the running totals as one JSON object
 * to `$GW_COUNTS_FILE`; `bench/ab.sh` (`BENCH_AB_COUNT=1`) reads them before and after each window and divides by the
 * requests served in it. Counts, unlike CPU time on a shared VM, repeat from run to run, so a change that removes a
 * promise or a timer per call shows up at once (issue 12). The `async_hooks` init hook costs CPU itself: compare the
 * CPU figures of two builds only when both run with this preload.
 *
 * `GW_COUNT_SITES=N` also samples one promise in N and counts it by where it was made: its innermost frame, and the
 * first frame in the gateway's own code (`apps/`, `libs/`) that led there. The totals then carry `sites` (the most
 * frequent, each count multiplied back by N); `BENCH_AB_SITES=N bash bench/ab.sh` prints B's per call. Capturing a
 * stack costs far more than the promise: read the sites, never the CPU, of such a run.
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

const sampleEvery = Number(process.env.GW_COUNT_SITES ?? 0);
const sites = new Map<string, number>();

/** `function file:line` of one V8 stack line, paths cut to what follows `dist/` or `node_modules/`. */
const frameName = (line: string): string =>
  line
    .trim()
    .replace(/^at /, '')
    .replace(/\(?(?:\/[^ ]*\/)?(?:node_modules\/|dist[^/]*\/)/, '(')
    .replace(/:\d+\)?$/, ')');

function recordSite(): void {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const frames = stack.split('\n').slice(1).filter((l) => !l.includes('runtime-counts.js') && !l.includes('node:internal/async_hooks'));
  const own = frames.find((l) => /\/(apps|libs)\//.test(l) && !l.includes('node_modules'));
  const key = `${frames[0] ? frameName(frames[0]) : '?'} ← ${own ? frameName(own) : '(not the gateway)'}`;
  sites.set(key, (sites.get(key) ?? 0) + sampleEvery);
}

createHook({
  init(_id: number, type: string): void {
    if (type === 'PROMISE') {
      totals.promises++;
      if (sampleEvery > 0 && totals.promises % sampleEvery === 0) recordSite();
    } else if (type === 'TickObject') totals.ticks++;
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
const topSites = (): [string, number][] => [...sites].sort((a, b) => b[1] - a[1]).slice(0, 160);
if (file) process.on('SIGUSR2', () => writeFileSync(file, JSON.stringify(sampleEvery > 0 ? { ...totals, sites: topSites() } : totals)));
