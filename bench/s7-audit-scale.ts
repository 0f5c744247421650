/**
 * S7 at scale (issue 11): the audit trail's reads on a 10M-row chained table.
 * 1. a private Postgres (embedded binaries, data dir under /tmp), migrated; N rows generated in SQL over 90 days;
 * 2. bytes per row (table + TOAST + each index);
 * 3. EXPLAIN (ANALYZE, BUFFERS) of the events query as the library builds it (parseAuditQuery + eventsPageSql) for
 *    every filter, and of statsSql over 1 and 30 days; a case with a Seq Scan or slower than --slow-ms is flagged,
 *    and the index that would serve it is created, measured and dropped again;
 * 4. the export (AuditQueryService, jsonl and csv) of 100k and 1M rows, each in its own process: rows/s and RSS.
 * Usage: node dist/bench/s7-audit-scale.js [--rows=10000000] [--days=90] [--shared-buffers=2GB] [--export-rows=100000,1000000]
 *        [--slow-ms=100] [--no-fixes] [--keep] [--data-dir=/tmp/gw-audit-scale-x (reuse a kept cluster: no load)]
 *        [--index-variants=all|none,hash,...]: after the load, only the index variants of the rare-value filters
 *        (audit-scale/index-variants.ts; no filters, stats, fixes or exports); JSON to bench/out/s7-indexes-*.json
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { AuditReader, encodeCursor, eventsPageSql, statsSql } from '@gw/audit';
import { createDataSource } from '@gw/database';
import type { DataSource } from 'typeorm';
import { auditQuery, AuditQueryService } from '../apps/control/src/audit/audit-query.service';
import { filterCases, statsCases, type CaseContext, type FilterCase } from './audit-scale/cases';
import { explain } from './audit-scale/explain';
import { runExports } from './audit-scale/export';
import { loadTrail, orgRows, storage } from './audit-scale/load';
import { orgId } from './audit-scale/load-sql';
import { defaultSettings, startBenchPostgres } from './audit-scale/postgres';
import { FAMILIES, runIndexVariants, type Family } from './audit-scale/index-variants';
import { renderVariants } from './audit-scale/index-variants-report';
import { render, type CaseResult, type FixResult, type ScaleReport } from './audit-scale/report';

const { values: a } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000000' },
    days: { type: 'string', default: '90' },
    'shared-buffers': { type: 'string', default: '2GB' },
    'export-rows': { type: 'string', default: '100000,1000000' },
    'slow-ms': { type: 'string', default: '100' },
    'no-fixes': { type: 'boolean' },
    keep: { type: 'boolean' },
    'data-dir': { type: 'string' },
    'index-variants': { type: 'string' },
  },
});
const SLOW_MS = Number(a['slow-ms']);
const log = (m: string) => process.stderr.write(`[s7-scale] ${m}\n`);

/** Flagged: a Seq Scan of a partition with rows, or slower than SLOW_MS warm; noted only: slow on its first run alone. */
function verdict(r: CaseResult['result']): Pick<CaseResult, 'flagged' | 'note'> {
  const warm = Math.round(r.warm.executionMs);
  if (r.warm.seqScans.length) return { flagged: `seq scan${warm > SLOW_MS ? `, ${warm} ms` : ''}`, note: null };
  if (warm > SLOW_MS) return { flagged: `${warm} ms > ${SLOW_MS} ms`, note: null };
  return { flagged: null, note: r.first.executionMs > SLOW_MS ? `1st run ${Math.round(r.first.executionMs)} ms` : null };
}

/** Partitions without rows (the months ahead the migration and the writer create). */
const empty = new Set<string>();

async function measure(ds: DataSource, org: string, c: FilterCase): Promise<CaseResult[]> {
  const strip = (e: Awaited<ReturnType<typeof explain>>) => ({ first: e.first, warm: e.warm });
  if (c.filter === 'stats') {
    const { grouped, categories } = statsSql(org, auditQuery(c.query, 'stats'));
    const g = strip(await explain(ds, grouped, empty));
    const k = strip(await explain(ds, categories, empty));
    return [
      { name: `${c.name}: grouped`, filter: c.filter, query: c.query, result: g, ...verdict(g) },
      { name: `${c.name}: categories`, filter: c.filter, query: c.query, result: k, ...verdict(k) },
    ];
  }
  const r = strip(await explain(ds, eventsPageSql(org, auditQuery(c.query, 'events')), empty));
  return [{ name: c.name, filter: c.filter, query: c.query, result: r, ...verdict(r) }];
}

/** Each proposed index once (for every flagged case it serves): built, analysed, the cases re-run, dropped. */
async function tryFixes(ds: DataSource, org: string, rows: number, cases: FilterCase[], results: CaseResult[]): Promise<FixResult[]> {
  const byIndex = new Map<string, { fix: NonNullable<FilterCase['fix']>; cases: Array<{ c: FilterCase; before: CaseResult }> }>();
  for (const c of cases) {
    const before = results.find((r) => r.name === c.name);
    if (!c.fix || !before?.flagged) continue;
    const entry = byIndex.get(c.fix.what) ?? { fix: c.fix, cases: [] };
    entry.cases.push({ c, before });
    byIndex.set(c.fix.what, entry);
  }
  const out: FixResult[] = [];
  for (const { fix, cases: served } of byIndex.values()) {
    log(`index ${fix.what} for ${served.map((s) => s.c.name).join(', ')}`);
    const t0 = performance.now();
    for (const sql of fix.sql) await ds.query(sql);
    const buildMs = performance.now() - t0;
    await ds.query('ANALYZE audit_event'); // expression indexes bring statistics on their expressions
    const names = fix.sql.map((s) => /CREATE INDEX (\S+)/.exec(s)![1]);
    const [size] = await ds.query<Array<{ b: string }>>(
      `SELECT sum(pg_relation_size(i.inhrelid))::text AS b FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = ANY($1)`,
      [names],
    );
    const after = [];
    for (const s of served) after.push({ name: s.c.name, before: s.before.result, after: (await measure(ds, org, s.c))[0].result });
    for (const n of names) await ds.query(`DROP INDEX ${n}`);
    out.push({ index: fix.what, buildMs, bytesPerRow: Math.round(Number(size.b) / rows), cases: after });
  }
  if (out.length) await ds.query('ANALYZE audit_event');
  return out;
}

async function context(ds: DataSource, service: AuditQueryService, org: string, rows: number): Promise<CaseContext> {
  const [b] = await ds.query<Array<{ start: Date; end: Date }>>(`SELECT min(created_at) AS start, max(created_at) AS end FROM audit_event WHERE org_id = $1`, [org]);
  const half = Math.floor(rows / 2);
  const [req] = await ds.query<Array<{ r: string }>>(
    `SELECT request_id AS r FROM audit_event WHERE org_id = $1 AND seq BETWEEN $2 AND $2 + 1000 AND request_id IS NOT NULL ORDER BY seq LIMIT 1`,
    [org, half],
  );
  const page = await service.page(org, auditQuery({}, 'events'));
  if (!page.next_cursor) throw new Error('the org has a single page of events');
  const mid = new Date(Math.floor((b.start.getTime() + b.end.getTime()) / 2 / 3_600_000) * 3_600_000);
  return { orgIdx: 0, mid, end: b.end, requestId: req.r, cursor: page.next_cursor, deepCursor: encodeCursor(half) };
}

async function main(): Promise<void> {
  const settings = defaultSettings(a['shared-buffers']);
  const pg = await startBenchPostgres(settings, a['data-dir'], log);
  log(`postgres ${pg.version}, data dir ${pg.dataDir}${pg.reused ? ' (reused)' : ''}`);
  const ds = await createDataSource(pg.url, 4).initialize();
  let ok = false;
  let loaded = pg.reused; // a failure after a long load keeps the cluster for a --data-dir rerun
  try {
    const [{ n }] = await ds.query<Array<{ n: string }>>(`SELECT count(*)::text AS n FROM (SELECT 1 FROM audit_event LIMIT 1) x`);
    const load = Number(n) > 0 ? (log('data dir holds rows: load skipped'), null) : await loadTrail(ds, Number(a.rows), Number(a.days), log);
    loaded = true;
    const st = await storage(ds);
    for (const p of st.partitions) if (p.rows === 0) empty.add(p.name);
    const orgs = await orgRows(ds);
    const org = orgId(0);
    const orgN = orgs.find((o) => o.org === org)!.rows;
    const service = new AuditQueryService(ds, new AuditReader(ds));
    const ctx = await context(ds, service, org, orgN);
    if (a['index-variants'] !== undefined) {
      const families = a['index-variants'] === 'all' ? FAMILIES : (a['index-variants'].split(',') as Family[]);
      const day = { from: ctx.mid.toISOString(), to: new Date(ctx.mid.getTime() + 86_400_000).toISOString() };
      const variants = await runIndexVariants(ds, { org, orgRows: orgN, rows: st.rows, day, empty, log }, families);
      const file = join(resolve(__dirname, '../../bench/out'), `s7-indexes-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
      writeFileSync(file, JSON.stringify({ settings, postgres: pg.version, load, rows: st.rows, org: { id: org, rows: orgN }, day, variants }, null, 2));
      process.stdout.write(`${renderVariants(variants)}\n`);
      log(`raw JSON: ${file}`);
      ok = true;
      return;
    }
    const cases = filterCases(ctx);
    const filters: CaseResult[] = [];
    for (const c of cases) {
      const [r] = await measure(ds, org, c);
      log(`${c.name}: ${r.result.warm.executionMs.toFixed(1)} ms, ${r.result.warm.nodes.join(' → ')}${r.flagged ? `  ⚠ ${r.flagged}` : ''}`);
      filters.push(r);
    }
    const stats: CaseResult[] = [];
    for (const c of statsCases(ctx)) stats.push(...(await measure(ds, org, c)));
    const fixes = a['no-fixes'] ? [] : await tryFixes(ds, org, st.rows, cases, filters);
    const exports = await runExports(ds, pg.url, org, orgN, a['export-rows'].split(',').map(Number).filter((x) => x > 0), log);
    const report: ScaleReport = { settings, postgres: pg.version, load, storage: st, org: { id: org, rows: orgN, share: orgN / st.rows }, filters, stats, fixes, exports };
    const dir = resolve(__dirname, '../../bench/out');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `s7-scale-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(report, null, 2));
    process.stdout.write(`${render(report)}\n`);
    log(`raw JSON: ${file}`);
    ok = true;
  } finally {
    await ds.destroy();
    if (a.keep || a['data-dir'] || (!ok && loaded)) {
      await pg.stop();
      log(`postgres stopped; data dir kept: ${pg.dataDir} (rerun with --data-dir=${pg.dataDir}, or rm -rf it)`);
    } else {
      await pg.dispose();
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[s7-scale] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
