/**
 * Median and min–max spread of the headline figures over several runs of `bench/run.ts` (performance.md: "repeat
 * three times; publish the median and the min–max spread"). Each run's figures are same-run figures (gateway next to
 * thin and direct, and their ratios, are taken per run before the median). Usage:
 *   node dist/bench/repeats.js bench/out/run-A.json bench/out/run-B.json bench/out/run-C.json
 * (`BENCH_REPEAT=3 bash bench/production.sh …` runs and summarises in one go.)
 */
import { readFileSync } from 'node:fs';
import type { S3Window } from './scenarios/s3-saturation';
import type { S1Result } from './scenarios/s1-latency';
import type { S5Row } from './scenarios/s5-summary';
import type { S6Row } from './scenarios/s6-memory';
import { percentile } from './lib/stats';

interface Run {
  results: { s1?: S1Result; s3?: S3Window[]; s5?: { rows: S5Row[] } };
  s6?: S6Row[];
}

type Figure = [label: string, pick: (r: Run) => number | undefined, digits: number];

const s3 = (r: Run, target: string, c: number): S3Window | undefined => r.results.s3?.find((w) => w.target === target && w.connections === c);
const s5 = (r: Run, type: string, c: number): S5Row | undefined => r.results.s5?.rows.find((w) => w.type === type && w.concurrency === c);

function figures(runs: Run[]): Figure[] {
  const out: Figure[] = [];
  for (const t of ['thin', 'gateway'] as const) {
    out.push([`S1 ${t} added p50 (ms), c=1`, (r) => r.results.s1?.added[t]?.p50, 3]);
    out.push([`S1 ${t} added p99 (ms), c=1`, (r) => r.results.s1?.added[t]?.p99, 3]);
  }
  const conns = [...new Set(runs.flatMap((r) => r.results.s3?.map((w) => w.connections) ?? []))].sort((a, b) => a - b);
  for (const c of conns) {
    for (const t of ['direct', 'thin', 'gateway']) out.push([`S3 ${t} RPS, c=${c}`, (r) => s3(r, t, c)?.rps, 0]);
    out.push([`S3 gateway ÷ thin RPS, c=${c}`, (r) => ratio(s3(r, 'gateway', c)?.rps, s3(r, 'thin', c)?.rps), 3]);
    for (const t of ['thin', 'gateway']) out.push([`S3 ${t} CPU µs/request, c=${c}`, (r) => s3(r, t, c)?.cpuUsPerReq, 0]);
  }
  const rows = runs.flatMap((r) => r.results.s5?.rows ?? []).filter((w) => w.added);
  const keys = [...new Map(rows.map((w) => [`${w.type}@${w.concurrency}`, w])).values()];
  for (const w of keys) {
    out.push([`S5 ${w.type} added TTFT p50 (ms), c=${w.concurrency}`, (r) => s5(r, w.type, w.concurrency)?.added?.ttftMs.p50, 2]);
    out.push([`S5 ${w.type} added TTFT p99 (ms), c=${w.concurrency}`, (r) => s5(r, w.type, w.concurrency)?.added?.ttftMs.p99, 2]);
    if (w.concurrency > 1) {
      out.push([`S5 ${w.type} added gap p99 (ms), c=${w.concurrency}`, (r) => s5(r, w.type, w.concurrency)?.added?.gapMs.p99, 2]);
      out.push([`S5 ${w.type} CPU µs per stream, c=${w.concurrency}`, (r) => s5(r, w.type, w.concurrency)?.cpuUsPerStream, 0]);
    }
  }
  for (const t of ['thin', 'gateway']) out.push([`S6 ${t} MB per 1,000 streams`, (r) => r.s6?.find((x) => x.target === t)?.perThousandMb, 0]);
  return out;
}

const ratio = (a?: number, b?: number): number | undefined => (a !== undefined && b ? a / b : undefined);

export function summarise(runs: Run[]): string {
  const lines = [`| Figure (${runs.length} runs) | median | min … max |`, '|---|---|---|'];
  for (const [label, pick, digits] of figures(runs)) {
    const v = runs.map(pick).filter((x): x is number => x !== undefined && Number.isFinite(x));
    if (v.length === 0) continue;
    const f = (x: number): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    lines.push(`| ${label} | ${f(percentile(v, 50))} | ${f(Math.min(...v))} … ${f(Math.max(...v))}${v.length < runs.length ? ` (${v.length} runs)` : ''} |`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write('usage: node dist/bench/repeats.js <run.json>...\n');
    process.exit(2);
  }
  process.stdout.write(`${summarise(files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Run))}\n`);
}
