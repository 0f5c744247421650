import { performance } from 'node:perf_hooks';
import { eventsPageSql, type SqlQuery } from '@gw/audit';
import type { DataSource } from 'typeorm';
import { auditQuery } from '../../apps/control/src/audit/audit-query.service';
import { explain, summarise, type PlanSummary } from './explain';

/**
 * `--index-variants`: the four filters that walk the org for a rare or absent value (user_id, key_id, policy_user,
 * model), each measured with no index and with three index shapes, to weigh bytes per row against speed:
 * - hash on the value alone (no NULLs indexed; cannot serve ORDER BY seq, so a bitmap scan + sort, or the pkey);
 * - b-tree (org_id, value, seq) (the earlier fix: serves ORDER BY seq DESC LIMIT directly, no deduplication);
 * - b-tree (org_id, value) WHERE value IS NOT NULL (duplicates deduplicated into posting lists: small).
 * Every case is the API's own SQL (auditQuery + eventsPageSql), run with bound parameters as the pg driver sends
 * them (an unnamed statement: a custom plan), and once more as a named statement under force_generic_plan.
 */
interface Filter {
  param: string;
  /** The column or expression as eventsWhere() compares it. */
  expr: string;
  /** The predicate that leaves out rows without the value (hash indexes never hold NULLs anyway). */
  notNull: string;
  noMatch: string;
}
const POLICY_USER = "((attributes->'policy')->>'policy_user')";
const FILTERS: Filter[] = [
  { param: 'user_id', expr: 'user_id', notNull: 'user_id IS NOT NULL', noMatch: 'ffffffff-ffff-4fff-bfff-ffffffffffff' },
  { param: 'key_id', expr: 'api_key_id', notNull: 'api_key_id IS NOT NULL', noMatch: 'ffffffff-ffff-4fff-bfff-ffffffffffff' },
  { param: 'policy_user', expr: POLICY_USER, notNull: "(attributes->'policy') IS NOT NULL", noMatch: 'pu-nobody' },
  { param: 'model', expr: 'model', notNull: 'model IS NOT NULL', noMatch: 'no-such-model' },
];

/** btree-seq: (org_id, x, seq); btree-dedup: (org_id, x) WHERE x IS NOT NULL (names without commas: a CLI list). */
export type Family = 'none' | 'hash' | 'btree-seq' | 'btree-dedup';
export const FAMILIES: Family[] = ['none', 'hash', 'btree-seq', 'btree-dedup'];

/** The DDL of one variant; the (org_id, x, seq) ones exactly as cases.ts proposed them (partial for policy_user only). */
function ddl(family: Family, f: Filter, name: string): string | null {
  const e = f.expr.startsWith('(') ? f.expr : `(${f.expr})`;
  // 15 models over ~9.4M rows: every insert walks its bucket's overflow chain (quadratic); killed after 6 min at 10M.
  if (family === 'hash' && f.param === 'model') return null;
  if (family === 'hash') return `CREATE INDEX ${name} ON audit_event USING hash (${e})${f.param === 'user_id' || f.param === 'policy_user' ? ` WHERE ${f.notNull}` : ''}`;
  if (family === 'btree-seq') return `CREATE INDEX ${name} ON audit_event (org_id, ${e}, seq)${f.param === 'policy_user' ? ` WHERE ${f.notNull}` : ''}`;
  if (family === 'btree-dedup') return `CREATE INDEX ${name} ON audit_event (org_id, ${e}) WHERE ${f.notNull}`;
  return null;
}

export interface CaseRun {
  case: string;
  value: string;
  /** Rows of the org holding the value (the whole range; the 1-day case reads a slice of them). */
  orgMatches: number;
  first: PlanSummary;
  warm: PlanSummary;
  /** The same SQL as a prepared statement under force_generic_plan (null: not measured, baseline). */
  generic: (PlanSummary & { isGeneric: boolean }) | null;
}
export interface VariantResult {
  family: Family;
  filter: string;
  ddl: string | null;
  buildMs: number;
  bytesPerRow: number;
  cases: CaseRun[];
}

interface Picked { rare: { v: string; n: number }; medium: { v: string; n: number }; common: { v: string; n: number } }

/** The org's least frequent value and those nearest 0.1 % and 1 % of its rows. */
async function pick(ds: DataSource, org: string, orgRows: number, f: Filter): Promise<Picked> {
  const rows = await ds.query<Array<{ v: string; n: number }>>(
    `SELECT (${f.expr})::text AS v, count(*)::int AS n FROM audit_event WHERE org_id = $1 AND (${f.expr}) IS NOT NULL GROUP BY 1 ORDER BY 2, 1`, [org]);
  const nearest = (target: number) => rows.reduce((b, r) => (Math.abs(r.n - target) < Math.abs(b.n - target) ? r : b));
  return { rare: rows[0], medium: nearest(orgRows / 1000), common: nearest(orgRows / 100) };
}

const lit = (v: unknown) => (typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);

/** EXPLAIN ANALYZE of EXECUTE of a named statement planned generically (parameters as $n, pruning at run time). */
async function generic(ds: DataSource, q: SqlQuery, empty: ReadonlySet<string>): Promise<PlanSummary & { isGeneric: boolean }> {
  const qr = ds.createQueryRunner();
  await qr.connect();
  try {
    await qr.query(`SET plan_cache_mode = force_generic_plan`);
    await qr.query(`PREPARE bench_page AS ${q.sql}`);
    const rows = await qr.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE bench_page(${q.params.map(lit).join(', ')})`);
    const plan = (rows as Array<{ 'QUERY PLAN': unknown }>)[0]['QUERY PLAN'];
    return { ...summarise(plan, empty), isGeneric: JSON.stringify(plan).includes('$2') };
  } finally {
    await qr.query('DEALLOCATE ALL');
    await qr.query('RESET plan_cache_mode');
    await qr.release();
  }
}

export interface VariantContext {
  org: string;
  orgRows: number;
  rows: number;
  /** One-day window [from, to) in the middle of the data. */
  day: { from: string; to: string };
  empty: ReadonlySet<string>;
  log: (m: string) => void;
}

async function runCases(ds: DataSource, c: VariantContext, f: Filter, p: Picked, withGeneric: boolean): Promise<CaseRun[]> {
  const cases = [
    { case: 'rare', value: p.rare.v, orgMatches: p.rare.n, query: { [f.param]: p.rare.v } },
    { case: 'no match', value: f.noMatch, orgMatches: 0, query: { [f.param]: f.noMatch } },
    { case: 'medium (~0.1 %)', value: p.medium.v, orgMatches: p.medium.n, query: { [f.param]: p.medium.v } },
    { case: 'common (~1 %)', value: p.common.v, orgMatches: p.common.n, query: { [f.param]: p.common.v } },
    { case: '1 day + rare', value: p.rare.v, orgMatches: p.rare.n, query: { ...c.day, [f.param]: p.rare.v } },
  ];
  const out: CaseRun[] = [];
  for (const k of cases) {
    const q = eventsPageSql(c.org, auditQuery(k.query, 'events'));
    const e = await explain(ds, q, c.empty);
    out.push({ case: k.case, value: k.value, orgMatches: k.orgMatches, first: e.first, warm: e.warm, generic: withGeneric ? await generic(ds, q, c.empty) : null });
  }
  return out;
}

const indexBytes = async (ds: DataSource, name: string) =>
  Number((await ds.query<Array<{ b: string }>>(
    `SELECT COALESCE(sum(pg_relation_size(i.inhrelid)), 0)::text AS b FROM pg_inherits i WHERE i.inhparent = $1::regclass`, [name]))[0].b);

/** Each family in turn: its four indexes built (timed one by one), ANALYZE (expression statistics), cases, dropped. */
export async function runIndexVariants(ds: DataSource, c: VariantContext, families: Family[] = FAMILIES): Promise<VariantResult[]> {
  const picked = new Map<string, Picked>();
  for (const f of FILTERS) {
    picked.set(f.param, await pick(ds, c.org, c.orgRows, f));
    c.log(`${f.param}: ${JSON.stringify(picked.get(f.param))}`);
  }
  const out: VariantResult[] = [];
  for (const family of families) {
    const built = FILTERS.map((f, k) => ({ f, name: `bench_variant_${k}`, sql: ddl(family, f, `bench_variant_${k}`), buildMs: 0, bytes: 0 }))
      .filter((b) => b.sql || family === 'none');
    for (const b of built) {
      if (!b.sql) continue;
      await ds.query(`DROP INDEX IF EXISTS ${b.name}`); // left by an interrupted run on a kept cluster
      const t0 = performance.now();
      await ds.query(b.sql);
      b.buildMs = performance.now() - t0;
      b.bytes = await indexBytes(ds, b.name);
      c.log(`${family} ${b.f.param}: built in ${(b.buildMs / 1000).toFixed(1)} s, ${Math.round(b.bytes / c.rows)} B/row`);
    }
    if (family !== 'none') await ds.query('ANALYZE audit_event');
    for (const b of built) {
      const cases = await runCases(ds, c, b.f, picked.get(b.f.param)!, family !== 'none');
      c.log(`${family} ${b.f.param}: ${cases.map((r) => `${r.case} ${r.warm.executionMs.toFixed(1)} ms`).join(', ')}`);
      out.push({ family, filter: b.f.param, ddl: b.sql, buildMs: b.buildMs, bytesPerRow: b.bytes / c.rows, cases });
    }
    for (const b of built) if (b.sql) await ds.query(`DROP INDEX ${b.name}`);
  }
  return out;
}
