import type { LoadResult, StorageResult } from './load';
import type { Explained } from './explain';
import type { ExportRun } from './export-child';

export interface CaseResult {
  name: string;
  filter: string;
  query: Record<string, string>;
  result: Omit<Explained, 'plan'>;
  /** Why the case misses the bar (a Seq Scan of data, or slow warm): its fix is tried. */
  flagged: string | null;
  /** Worth knowing but not flagged (slow on the first run only). */
  note: string | null;
}

export interface FixResult {
  index: string;
  buildMs: number;
  bytesPerRow: number;
  cases: Array<{ name: string; before: CaseResult['result']; after: CaseResult['result'] }>;
}

export interface ScaleReport {
  settings: Record<string, string>;
  postgres: string;
  load: LoadResult | null;
  storage: StorageResult;
  org: { id: string; rows: number; share: number };
  filters: CaseResult[];
  stats: CaseResult[];
  fixes: FixResult[];
  exports: ExportRun[];
}

const int = (v: number) => Math.round(v).toLocaleString('en-US');
const ms = (v: number) => (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : int(v));
const short = (q: Record<string, string>) => Object.entries(q).map(([k, v]) => `${k}=${v.length > 24 ? `${v.slice(0, 21)}…` : v}`).join(' ') || '–';

function caseRow(c: CaseResult): string {
  const f = c.result.first;
  const w = c.result.warm;
  return `| ${c.name} | ${short(c.query)} | ${w.rowsReturned} | ${int(w.rowsExamined)} | ${w.nodes.join(' → ')} | ${w.seqScans.length ? `**yes** (${w.seqScans.length})` : w.seqScansEmpty.length ? `empty months only (${w.seqScansEmpty.length})` : 'no'} | ${w.partitionsScanned}/${w.partitionsScanned + w.partitionsPruned} | ${ms(f.executionMs)} / **${ms(w.executionMs)}**${w.jitMs ? ` (JIT ${ms(w.jitMs)})` : ''} | ${int(f.sharedHit)} / ${int(f.sharedRead)} | ${c.flagged ? `**${c.flagged}**` : c.note ? `ok (${c.note})` : 'ok'} |`;
}

const CASE_HEAD = [
  '| Case | Query | Rows | Rows examined | Plan (warm) | Seq Scan | Partitions run/total | ms 1st / warm | Buffers hit / read (1st) | Verdict |',
  '|---|---|---|---|---|---|---|---|---|---|',
];

export function render(r: ScaleReport): string {
  const s = r.storage;
  const lines = [
    `### S7 audit at scale: ${int(s.rows)} rows, PostgreSQL ${r.postgres} (${Object.entries(r.settings).map(([k, v]) => `${k}=${v}`).join(', ')})`,
    '',
    '| Figure | Value |',
    '|---|---|',
    r.load ? `| load (INSERT … SELECT generate_series, chunks of 250k) | ${int(r.load.insertMs / 1000)} s, ${int(r.load.rowsPerSecond)} rows/s; VACUUM ANALYZE ${int(r.load.vacuumAnalyzeMs / 1000)} s |` : '| load | reused data dir |',
    `| bytes per row, table + TOAST + indexes (heap only) | **${int(s.bytesPerRow)}** (${int(s.heapBytesPerRow)}); total ${(s.totalBytes / 1024 ** 3).toFixed(2)} GiB, TOAST ${int(s.toastBytes / 1024 ** 2)} MiB |`,
    ...Object.entries(s.indexBytesPerRow).map(([name, b]) => `| index ${name}, bytes per row | ${int(b)} |`),
    `| attributes (jsonb), average bytes | ${int(s.avgAttributesBytes)} |`,
    `| partitions (rows) | ${s.partitions.map((p) => `${p.name.replace('audit_event_', '')}: ${int(p.rows)}`).join(', ')} |`,
    `| org queried and exported | ${r.org.id}: ${int(r.org.rows)} rows (${(r.org.share * 100).toFixed(0)} %) |`,
    '',
    '#### GET /api/audit/events: EXPLAIN (ANALYZE, BUFFERS) of eventsPageSql (limit 100), per filter',
    ...CASE_HEAD,
    ...r.filters.map(caseRow),
    '',
    `Flagged (Seq Scan of a partition with rows, or warm > the bar): ${r.filters.filter((c) => c.flagged).map((c) => `${c.name} (${c.flagged})`).join('; ') || 'none'}`,
    '',
    '#### GET /api/audit/stats: statsSql (grouped, categories)',
    ...CASE_HEAD,
    ...r.stats.map(caseRow),
  ];
  if (r.fixes.length) {
    lines.push('', '#### Proposed indexes (created in the bench database only, then dropped): the flagged cases again', '| Index | Build s | Bytes per row | Case | ms warm before → after | Rows examined before → after | Plan after |', '|---|---|---|---|---|---|---|');
    for (const f of r.fixes) {
      for (const c of f.cases) {
        lines.push(`| ${f.index} | ${int(f.buildMs / 1000)} | ${int(f.bytesPerRow)} | ${c.name} | ${ms(c.before.warm.executionMs)} → **${ms(c.after.warm.executionMs)}** | ${int(c.before.warm.rowsExamined)} → ${int(c.after.warm.rowsExamined)} | ${c.after.warm.nodes.join(' → ')} |`);
      }
    }
  }
  lines.push('', '#### GET /api/audit/export (AuditQueryService.jsonl / csv → Readable.from → counting sink), one process per run', '| Format | Rows | Rows/s | MB/s | RSS start / max / end (MB) | Heap max (MB) | Samples (250 ms) |', '|---|---|---|---|---|---|---|');
  for (const e of r.exports) {
    lines.push(`| ${e.format} | ${int(e.rows)} | **${int(e.rowsPerSecond)}** | ${e.mbPerSecond} | ${e.rssStartMb} / **${e.rssMaxMb}** / ${e.rssEndMb} | ${e.heapMaxMb} | ${e.samples} |`);
  }
  return lines.join('\n');
}
