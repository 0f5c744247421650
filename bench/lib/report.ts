/**
 * The markdown tables of a run (performance.md §6.5, the figures this harness measures so far): S1/S3 with
 * one column per target, then S5 with one row per stream type (report-s5.ts).
 */
import type { TargetName } from './options';
import type { S1Result } from '../scenarios/s1-latency';
import type { S3Window } from '../scenarios/s3-saturation';
import type { S5Result } from '../scenarios/s5-streaming';
import { int, n, signed } from './format';
import { renderS5 } from './report-s5';

export interface RunResults {
  targets: TargetName[];
  s1?: S1Result;
  s3?: S3Window[];
  s5?: S5Result;
  notes: string[];
}

const COLS: TargetName[] = ['direct', 'thin', 'gateway'];

export function renderTable(r: RunResults): string {
  const has = (t: TargetName): boolean => r.targets.includes(t);
  const rows: string[][] = [];
  const row = (label: string, cell: (t: TargetName) => string): void => {
    rows.push([label, ...COLS.map((t) => (has(t) ? cell(t) : 'n/a'))]);
  };
  if (r.s1) {
    const s1 = r.s1;
    row('S1 latency p50 / p90 / p99 (ms), c=1', (t) => {
      const l = s1.latency[t];
      return l ? `${n(l.p50, 3)} / ${n(l.p90, 3)} / ${n(l.p99, 3)}` : '–';
    });
    row('S1 added p50 / p90 / p99 (ms) vs direct', (t) => {
      const a = s1.added[t];
      return a ? `${signed(a.p50, 3)} / ${signed(a.p90, 3)} / ${signed(a.p99, 3)}` : '–';
    });
    row('S1 added p50 IQR across rounds (ms)', (t) => {
      const a = s1.added[t];
      return a ? `${n(a.roundIqr[0], 3)} … ${n(a.roundIqr[1], 3)}` : '–';
    });
    row('S1 non-2xx answers', (t) => int(s1.latency[t]?.errors));
  }
  if (r.s3) {
    const conns = [...new Set(r.s3.map((w) => w.connections))];
    const win = (t: TargetName, c: number): S3Window | undefined => r.s3!.find((w) => w.target === t && w.connections === c);
    for (const c of conns) {
      row(`S3 RPS c=${c} (errors), ${r.s3[0]?.tool ?? ''}`, (t) => {
        const w = win(t, c);
        return w ? `${int(w.rps)}${w.rigBound ? ' †' : ''} (${int(w.errors)})` : '–';
      });
      row(`S3 RPS ratio c=${c}: ÷ direct / ÷ thin`, (t) => {
        const w = win(t, c);
        const d = win('direct', c);
        const th = win('thin', c);
        if (!w || t === 'direct') return '–';
        return `${n(d ? w.rps / d.rps : NaN)} / ${t === 'thin' ? '–' : n(th ? w.rps / th.rps : NaN)}`;
      });
      row(`S3 CPU µs/req c=${c} (direct = mock) [+ helper processes]`, (t) => {
        const w = win(t, c);
        return w ? `${int(w.cpuUsPerReq)}${Number.isNaN(w.helperCpuUsPerReq) ? '' : ` [+${int(w.helperCpuUsPerReq)}]`}` : '–';
      });
      row(`S3 latency p50 / p99 (ms) c=${c}`, (t) => {
        const w = win(t, c);
        return w ? `${n(w.latencyMs.p50, 1)} / ${n(w.latencyMs.p99, 1)}` : '–';
      });
    }
  }
  const lines: string[] = [];
  if (rows.length > 0) lines.push(`| Figure | ${COLS.join(' | ')} |`, `|---|${COLS.map(() => '---').join('|')}|`, ...rows.map((c) => `| ${c.join(' | ')} |`), '');
  if (r.s5) lines.push(renderS5(r.s5), '');
  if (lines.at(-1) === '') lines.pop();
  if (r.notes.length > 0) lines.push(...(lines.length > 0 ? [''] : []), ...r.notes.map((x) => `- ${x}`));
  return lines.join('\n');
}
