/**
 * The S5 table: one row per stream type (direct, thin, gateway chat / responses / messages) at c=1, then the
 * same per concurrent-streams level. "added" = row − direct at the same concurrency, per percentile, so a
 * protocol's row reads as its cost over the mock's own chat stream; the thin row is the floor to compare with.
 */
import type { S5Result } from '../scenarios/s5-streaming';
import type { S5Row } from '../scenarios/s5-summary';
import type { WindowHistogram } from './scraped-histograms';
import { PROTOCOLS } from '../stream-protocols';
import { n, signed } from './format';

/** Above this the mock + client core was saturated: the window measures the rig, not the target. */
const RIG_BOUND = 0.85;

const HEAD = [
  'S5 stream type',
  'c',
  'TTFT p50 / p99 (ms)',
  'TTFT added p50 / p99 (ms)',
  'gap p50 / p99 (ms)',
  'gap added p50 / p99 (µs)',
  'frames lost / extra',
  'missing terminator',
  'failed streams',
  'CPU µs per stream / per delta',
];

function cells(row: S5Row, expected: number): string[] {
  const a = row.added;
  const rig = row.loadCoreBusy > RIG_BOUND ? ' †' : '';
  return [
    `${row.type} (${row.protocol})`,
    `${row.concurrency}${rig}`,
    `${n(row.ttftMs.p50)} / ${n(row.ttftMs.p99)}`,
    a ? `${signed(a.ttftMs.p50, 3)} / ${signed(a.ttftMs.p99, 3)}` : '–',
    `${n(row.gapMs.p50)} / ${n(row.gapMs.p99)}`,
    a ? `${signed(a.gapMs.p50 * 1000, 0)} / ${signed(a.gapMs.p99 * 1000, 0)}` : '–',
    `${row.framesLost} / ${row.framesExtra} of ${expected * row.streams}`,
    `${row.missingEnd} of ${row.streams} (${PROTOCOLS[row.protocol].terminator})`,
    `${row.errorStreams}`,
    Number.isFinite(row.cpuUsPerStream) ? `${Math.round(row.cpuUsPerStream)} / ${n(row.cpuUsPerStream / expected, 1)}` : '–',
  ];
}

function histogram(h: WindowHistogram | undefined, median = true): string {
  if (!h) return '–';
  return `${n(h.meanMs, 1)}, ${median ? `≤ ${n(h.p50Ms)} / ` : ''}≤ ${n(h.p99Ms)} (${h.count})`;
}

export function renderS5(s5: S5Result): string {
  const lines = [
    `S5: ${s5.expectedContentFrames} content deltas per stream, every ${s5.ivMs} ms at c=1 (types interleaved in random order)` +
      (s5.rows.some((r) => r.concurrency > 1) ? ` and every ${s5.concurrentIvMs} ms at c>1 (starts spread over ${s5.rampMs / 1000} s, so all c streams are open at once)` : '') +
      '; direct TTFT ≈ one interval.',
    '',
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map(() => '---').join('|')}|`,
    ...s5.rows.map((row) => `| ${cells(row, s5.expectedContentFrames).join(' | ')} |`),
  ];
  const seen = s5.rows.filter((r) => r.gatewaySeen?.ttft ?? r.gatewaySeen?.admission);
  if (seen.length > 0) {
    lines.push('', "The gateway's own view of each concurrent window (its /metrics before and after; p50 / p99 are bucket bounds, \"at most\"):", '');
    lines.push('| S5 stream type | c | TTFT from arrival: mean, p50 / p99 (ms) (n) | admission round trip: mean, p50 / p99 (ms) (n) | event-loop delay p50 / p99 / max (ms) | GC pauses: mean, p99 (ms) (n) |', '|---|---|---|---|---|---|');
    for (const r of seen) {
      const g = r.gatewaySeen!;
      const loop = g.loopDelayMs ? `${n(g.loopDelayMs.p50, 1)} / ${n(g.loopDelayMs.p99, 1)} / ${n(g.loopDelayMs.max, 1)}` : '–';
      lines.push(`| ${r.type} | ${r.concurrency} | ${histogram(g.ttft)} | ${histogram(g.admission)} | ${loop} | ${histogram(g.gc, false)} |`);
    }
  }
  const rig = s5.rows.filter((r) => r.loadCoreBusy > RIG_BOUND);
  const failed = s5.rows.filter((r) => r.errors.length > 0);
  if (rig.length > 0 || failed.length > 0) lines.push('');
  if (rig.length > 0) {
    lines.push(`- † rig-bound (load core > 85 % busy): ${rig.map((r) => `${r.type} c=${r.concurrency} ${Math.round(r.loadCoreBusy * 100)} %`).join(', ')}`);
  }
  for (const r of failed) lines.push(`- S5 ${r.type} c=${r.concurrency}: ${r.errors.slice(0, 3).join(' | ')}`);
  return lines.join('\n');
}
