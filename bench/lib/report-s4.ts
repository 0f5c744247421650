/**
 * The S4 tables: in-process stage costs (µs per call), then the HTTP ladder with, per rung, the latency at c=1,
 * what it adds over the thin floor with the same body, its Δ against its reference rung (per percentile, and
 * the IQR across rounds of the per-round median Δ), and CPU µs per request at c=8 with its Δ.
 */
import type { S4Result, S4RungResult } from '../scenarios/s4-ladder';
import { int, n, signed } from './format';
import { iqr } from './stats';

const us = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms * 1000);

function delta(a: S4RungResult, b: S4RungResult | undefined): string {
  if (!a.c1 || !b?.c1) return '–';
  const d = (p: 'p50' | 'p99'): string => signed(us(a.c1!.latency[p] - b.c1!.latency[p]), 0);
  // Rounds line up: every rung ran once per round, so the i-th medians belong to the same round.
  const perRound = a.c1.roundMedians.map((m, i) => (m - b.c1!.roundMedians[i]) * 1000).filter(Number.isFinite);
  const [q1, q3] = iqr(perRound);
  return `${d('p50')} / ${d('p99')} [${n(q1, 0)} … ${n(q3, 0)}]`;
}

export function renderS4(r: S4Result): string {
  const lines = [
    '### S4 feature cost: in-process stages (µs per call)',
    '',
    '| Stage | Body | µs p50 | µs p99 | n |',
    '|---|---|---|---|---|',
    ...r.stages.map((s) => `| ${s.stage} | ${s.body} | ${n(s.p50Us, 2)} | ${n(s.p99Us, 2)} | ${int(s.n)} |`),
    '',
    '### S4 feature cost: HTTP ladder (c=1 interleaved; CPU at c=8)',
    '',
    '| Rung | Changes | p50 / p99 (ms) c=1 | added vs thin, same body (µs p50 / p99) | Δ vs reference (µs p50 / p99) [IQR of round Δp50] | reference | CPU µs/req c=8 (Δ vs ref) | RPS c=8 | non-2xx c=1 / c=8 |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const byLabel = new Map(r.rungs.map((x) => [x.label, x]));
  for (const x of r.rungs) {
    const ref = x.reference ? byLabel.get(x.reference) : undefined;
    const floor = x.floor ? byLabel.get(x.floor) : undefined;
    const lat = x.c1 ? `${n(x.c1.latency.p50, 3)} / ${n(x.c1.latency.p99, 3)}` : '–';
    const floorCell = floor?.c1 && x.c1 ? `${signed(us(x.c1.latency.p50 - floor.c1.latency.p50), 0)} / ${signed(us(x.c1.latency.p99 - floor.c1.latency.p99), 0)}` : '–';
    const cpuDelta = x.cpu && ref?.cpu ? ` (${signed(x.cpu.cpuUsPerReq - ref.cpu.cpuUsPerReq, 0)})` : '';
    const cpu = x.cpu ? `${int(x.cpu.cpuUsPerReq)}${x.cpu.loadCoreBusy > 0.85 ? ' †' : ''}${cpuDelta}` : '–';
    const errs = `${int(x.c1?.latency.errors)} / ${x.cpu ? int(x.cpu.errors) : '–'}`;
    lines.push(`| ${x.label} | ${x.adds} | ${lat} | ${floorCell} | ${delta(x, ref)} | ${x.reference ?? '–'} | ${cpu} | ${x.cpu ? int(x.cpu.rps) : '–'} | ${errs} |`);
  }
  const la = (v: number[]): string => v.map((x) => x.toFixed(2)).join(' / ');
  lines.push(
    '',
    `Load average (1/5/15 min) at the start of S4: ${la(r.loadavgStart)}; at the end: ${la(r.loadavgEnd)}.`,
    '',
    'Not separable over HTTP (no switch in the gateway; priced in process where possible):',
    ...r.notSeparable.map((x) => `- ${x}`),
  );
  if (r.notes.length > 0) lines.push('', ...r.notes.map((x) => `- ${x}`));
  return lines.join('\n');
}
