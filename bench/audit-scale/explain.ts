import type { DataSource } from 'typeorm';
import type { SqlQuery } from '@gw/audit';

/** A node of `EXPLAIN (FORMAT JSON)` (the fields read here). */
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Scan Direction'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  'Temp Read Blocks'?: number;
  'Subplans Removed'?: number;
  Plans?: PlanNode[];
}

export interface PlanSummary {
  /** Distinct node shapes, outermost first, with their count (`Index Scan Backward on pkey ×4`). */
  nodes: string[];
  /** Partitions (scans on `audit_event_*`) that ran, and those the executor pruned at run time. */
  partitionsScanned: number;
  partitionsPruned: number;
  /** Partitions holding rows read with a Seq Scan (empty list: none). */
  seqScans: string[];
  /** Empty partitions (months ahead) read with a Seq Scan: the planner's cheapest plan for no pages, harmless. */
  seqScansEmpty: string[];
  /** Rows the scans produced or filtered out: what the query had to read to answer. */
  rowsExamined: number;
  rowsReturned: number;
  executionMs: number;
  planningMs: number;
  sharedHit: number;
  sharedRead: number;
  tempBlocks: number;
  /** JIT compilation, when the plan's cost made Postgres compile it (part of executionMs). */
  jitMs: number;
}

const SCANS = new Set(['Seq Scan', 'Index Scan', 'Index Only Scan', 'Bitmap Heap Scan']);
/** `audit_event_2026_01_pkey` → `pkey`: the parent index a partition's index belongs to. */
const indexOf = (name: string) => name.replace(/^audit_event_\d{4}_\d{2}_/, '');

export function summarise(explain: unknown, empty: ReadonlySet<string> = new Set()): PlanSummary {
  const [top] = explain as Array<{ Plan: PlanNode; 'Execution Time': number; 'Planning Time': number; JIT?: { Timing?: { Total?: number } } }>;
  const shapes = new Map<string, number>();
  const out: PlanSummary = {
    nodes: [], partitionsScanned: 0, partitionsPruned: 0, seqScans: [], seqScansEmpty: [], rowsExamined: 0, rowsReturned: top.Plan['Actual Rows'] ?? 0,
    executionMs: top['Execution Time'], planningMs: top['Planning Time'],
    sharedHit: top.Plan['Shared Hit Blocks'] ?? 0, sharedRead: top.Plan['Shared Read Blocks'] ?? 0, tempBlocks: top.Plan['Temp Read Blocks'] ?? 0,
    jitMs: top.JIT?.Timing?.Total ?? 0,
  };
  const walk = (n: PlanNode) => {
    const backward = n['Scan Direction'] === 'Backward' ? ' Backward' : '';
    const shape = `${n['Node Type']}${backward}${n['Index Name'] ? ` on ${indexOf(n['Index Name'])}` : ''}`;
    shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
    out.partitionsPruned += n['Subplans Removed'] ?? 0;
    const loops = n['Actual Loops'] ?? 0;
    if (SCANS.has(n['Node Type']) && n['Relation Name']?.startsWith('audit_event')) {
      if (loops > 0) out.partitionsScanned++;
      if (n['Node Type'] === 'Seq Scan' && loops > 0) (empty.has(n['Relation Name']) ? out.seqScansEmpty : out.seqScans).push(n['Relation Name']);
      out.rowsExamined += ((n['Actual Rows'] ?? 0) + (n['Rows Removed by Filter'] ?? 0) + (n['Rows Removed by Index Recheck'] ?? 0)) * loops;
    }
    for (const c of n.Plans ?? []) walk(c);
  };
  walk(top.Plan);
  out.nodes = [...shapes].map(([s, k]) => (k > 1 ? `${s} ×${k}` : s));
  return out;
}

export interface Explained {
  /** The first run (cold for the pages this query alone reads) and a second, warm one. */
  first: PlanSummary;
  warm: PlanSummary;
  plan: unknown;
}

/** `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)` of a library-built query with its bound parameters, twice. */
export async function explain(ds: DataSource, q: SqlQuery, empty: ReadonlySet<string>): Promise<Explained> {
  const run = async () => {
    const rows = await ds.query<Array<{ 'QUERY PLAN': unknown }>>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${q.sql}`, q.params);
    return rows[0]['QUERY PLAN'];
  };
  const first = summarise(await run(), empty);
  const plan = await run();
  return { first, warm: summarise(plan, empty), plan };
}
