import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@gw/database';
import { createTestDatabase, type TestDatabase } from '../../../database/src/testing';
import { ensurePartitions, monthPartition } from '../chain/audit-partitions';
import type { ChainedAuditEvent } from '../chain/audit-event.types';
import { INSERT_EVENTS_SQL } from '../chain/chain.sql';
import { eventFromRow, type AuditEventRow } from '../chain/event-row';
import { encodeCursor } from './cursor';
import { parseAuditQuery } from './query-params';
import { eventsPageSql, statsSql, toPage, type CategoryStatsRow, type GroupedStatsRow } from './query-sql';
import { columnArrays, matches, syntheticEvents } from './query.medium-fixtures';
import { shapeStats } from './stats-shape';

const PER_ORG = 8_000;
const ORGS = Array.from({ length: 5 }, () => randomUUID());
const [ORG] = ORGS;
const parse = (raw: Record<string, string>) => parseAuditQuery(raw, { maxLimit: 1000, defaultLimit: 100 });

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}
const nodesOf = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodesOf)];

describe('audit query SQL against Postgres (partitioned audit_event, synthetic rows)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let events: ChainedAuditEvent[];
  const months = [-2, -1, 0].map((m) => monthPartition(new Date(), m));

  /** Every page of `raw` (`limit` per page), following the cursors; asserts the pages' order and org. */
  async function allPages(raw: Record<string, string>, limit: number): Promise<number[]> {
    const seqs: number[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 1_000; pages++) {
      const q = parse({ ...raw, limit: String(limit), ...(cursor ? { cursor } : {}) });
      const { sql, params } = eventsPageSql(ORG, q);
      const page = toPage((await ds.query<AuditEventRow[]>(sql, params)).map(eventFromRow), limit);
      assert.ok(page.events.every((e) => e.org_id === ORG), 'only the org asked for');
      seqs.push(...page.events.map((e) => e.seq));
      if (!page.next_cursor) return seqs;
      cursor = page.next_cursor;
    }
    throw new Error('paging did not end');
  }

  before(async () => {
    db = await createTestDatabase({ name: `helper_query_test_${Date.now().toString(36)}` });
    ds = await createDataSource(db.url, 4).initialize();
    await ensurePartitions(ds, new Date(months[0].from), 2);
    const start = new Date(months[0].from);
    const span = Date.parse(months[2].from) + 15 * 86_400_000 - start.getTime();
    for (const org of ORGS) {
      const mine = syntheticEvents(org, PER_ORG, start, span);
      if (org === ORG) events = mine;
      for (let i = 0; i < mine.length; i += 4_000) await ds.query(INSERT_EVENTS_SQL, columnArrays(mine.slice(i, i + 4_000)));
    }
    await ds.query('ANALYZE audit_event');
  });

  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const FILTERS: Array<Record<string, string>> = [
    {},
    { class: 'admin,auth' },
    { event_type: 'revision', policy_id: 'pol-1' },
    { policy_id: 'pol-2' },
    { decision: 'refuse' },
    { decision: 'refuse', effective_decision: 'allow' },
    { reason_code: 'REDACT', project_id: 'proj-3' },
    { user_id: 'user-2' },
    { key_id: 'key-2', model: 'm-b', surface: 'responses' },
    { policy_user: 'pu-1', status: '2xx' },
    { status: '429' },
    { status: '5xx', class: 'enforcement' },
    { category: 'self-harm' },
    { category: 'weapons' },
    { request_id: `req-${ORG.slice(0, 4)}-77` },
    { model: "x'; DROP TABLE audit_event; --" },
  ];

  for (const raw of FILTERS) {
    it(`${JSON.stringify(raw)}: every matching event of the org, newest first, across pages`, async () => {
      const q = parse(raw);
      const expected = events.filter((e) => matches(e, q)).map((e) => e.seq).reverse();
      if (!raw.model?.includes('DROP')) assert.ok(expected.length > 0, 'the filter selects something');
      assert.deepEqual(await allPages(raw, 700), expected);
    });
  }

  it('time ranges: [from, to) on created_at, across a month boundary, with a cursor', async () => {
    const allow = (e: ChainedAuditEvent) => (e.attributes.policy as { decision?: string } | undefined)?.decision === 'allow';
    const first = events.find((e) => allow(e) && e.created_at >= new Date(Date.parse(months[1].from) - 86_400_000).toISOString())!;
    const last = events.slice(PER_ORG / 2).find(allow)!;
    const raw = { from: first.created_at, to: last.created_at, decision: 'allow' };
    const got = await allPages(raw, 7);
    assert.deepEqual(got, events.filter((e) => matches(e, parse(raw))).map((e) => e.seq).reverse());
    assert.equal(got.at(-1), first.seq, 'from is inclusive');
    assert.ok(!got.includes(last.seq) && got.length > 20, 'to is exclusive');
    const later = await allPages({ ...raw, to: new Date(Date.parse(last.created_at) + 1).toISOString() }, 500);
    assert.equal(later[0], last.seq);
  });

  it('stats: total and counts by decision, category, project and day equal the in-memory counts', async () => {
    const q = parse({ from: months[1].from, to: months[2].from, class: 'enforcement' });
    const { grouped, categories } = statsSql(ORG, q);
    const stats = shapeStats(q, await ds.query<GroupedStatsRow[]>(grouped.sql, grouped.params), await ds.query<CategoryStatsRow[]>(categories.sql, categories.params));
    const mine = events.filter((e) => matches(e, q));
    const tally = (keys: string[]) => keys.reduce<Record<string, number>>((acc, k) => ({ ...acc, [k]: (acc[k] ?? 0) + 1 }), {});
    const policy = (e: ChainedAuditEvent) => (e.attributes.policy ?? {}) as { decision?: string; triggered_categories?: string[] };
    const flagged = (e: ChainedAuditEvent) => (e.attributes.flagged_categories as { triggered?: string[] } | undefined)?.triggered ?? [];
    assert.equal(stats.total, mine.length);
    assert.deepEqual(stats.by_decision, tally(mine.map((e) => policy(e).decision ?? '(none)')));
    assert.deepEqual(stats.by_project, tally(mine.map((e) => e.project_id ?? '(none)')));
    assert.deepEqual(stats.by_category, tally(mine.flatMap((e) => [...new Set([...(policy(e).triggered_categories ?? []), ...flagged(e)])])));
    const byDay = tally(mine.map((e) => e.created_at.slice(0, 10)));
    assert.deepEqual(stats.by_day.filter((d) => d.count > 0), Object.entries(byDay).map(([day, count]) => ({ day, count })));
    assert.equal(stats.by_day.length, (Date.parse(months[2].from) - Date.parse(months[1].from)) / 86_400_000, 'every day of the month listed');
  });

  const PLANS: Array<Record<string, string>> = [
    {},
    { decision: 'refuse' },
    { category: 'weapons', status: '4xx' },
    { from: months[1].from, to: months[2].from, policy_user: 'pu-3' },
    { class: 'admin', cursor: encodeCursor(5_000) },
  ];
  for (const raw of PLANS) {
    it(`EXPLAIN ${JSON.stringify(raw)}: index scans on every partition holding rows (enable_seqscan left on)`, async () => {
      assert.equal((await ds.query<Array<{ enable_seqscan: string }>>('SHOW enable_seqscan'))[0].enable_seqscan, 'on');
      const sizes = new Map((await ds.query<Array<{ relname: string; n: number }>>(`SELECT relname, reltuples::float8 AS n FROM pg_class WHERE relname LIKE 'audit_event_2%'`)).map((r) => [r.relname, r.n]));
      const { sql, params } = eventsPageSql(ORG, parse(raw));
      const [{ 'QUERY PLAN': plan }] = await ds.query<Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
      const scans = nodesOf(plan[0].Plan).filter((n) => n['Relation Name']);
      const filled = scans.filter((n) => (sizes.get(n['Relation Name']!) ?? 0) > 0);
      assert.ok(filled.length > 0, 'the partitions with rows are read');
      for (const n of filled) assert.match(n['Node Type'], /^(Index Scan|Index Only Scan|Bitmap Heap Scan)$/, `${n['Relation Name']}: ${JSON.stringify(plan)}`);
      // A month ahead holds no row yet: the planner may Seq Scan it at zero cost (nothing to read).
      for (const n of scans.filter((s) => s['Node Type'] === 'Seq Scan')) assert.equal(sizes.get(n['Relation Name']!), 0, `${n['Relation Name']} is empty`);
      if (raw.from) assert.deepEqual([...new Set(scans.map((n) => n['Relation Name']))], [months[1].name], 'one month: one partition, no Seq Scan at all');
    });
  }
});
