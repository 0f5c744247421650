import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@gw/database';
import type { AuditRecord } from '@gw/audit';
import { AuditRepository } from '../../libs/audit/src/audit.repository';
import { monthPartition } from '../../libs/audit/src/chain/audit-partitions';
import { KNOWN_EVENTS_SQL } from '../../libs/audit/src/chain/chain.sql';
import { makeAuditRecord } from '../../libs/audit/src/testing';
import { createTestDatabase, type TestDatabase } from '../../libs/database/src/testing';

/**
 * The chain writer's redelivery check runs on every batch. Planned from statistics, it read whole partitions where
 * they had none (autovacuum off, a month's new partition): 160 ms per batch at 80k events. These cases read the
 * plans Postgres actually runs (auto_explain, nested statements included) on a partition without statistics.
 */
describe('audit redelivery check plans an index scan without statistics (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let client: Client;
  let ids: string[];
  const plans: string[] = [];

  /** What `sql` returns, and the plans of the statements it runs as auto_explain logs them to this session. */
  const plansOf = async (sql: string, params: unknown[]): Promise<{ rows: Array<{ event_id: string }>; plan: string }> => {
    plans.length = 0;
    const { rows } = await client.query<{ event_id: string }>(sql, params);
    return { rows, plan: plans.join('\n') };
  };

  before(async () => {
    db = await createTestDatabase();
    ds = await createDataSource(db.url, 2).initialize();
    const org = randomUUID();
    const records: AuditRecord[] = Array.from({ length: 600 }, (_, i) => ({
      ...makeAuditRecord({ attributes: { i } }),
      v: 2,
      eventType: 'enforcement',
      orgId: org,
      projectId: null,
      principal: { kind: 'api_key', keyId: null, userId: null },
    }));
    await new AuditRepository(ds).insertBatch(records);
    // A month's worth of scale: 40 copies of those rows under new positions and ids (the chain itself is not read
    // here). On a few hundred rows any plan is cheap and the planner rightly takes the primary key.
    const kept = ['org_id', 'created_at', 'event_type', 'v', 'occurred_at', 'project_id', 'principal_kind', 'request_id', 'surface', 'model', 'attributes', 'prev_hash', 'entry_hash'];
    await ds.query(`INSERT INTO audit_event (seq, event_id, ${kept.join(', ')})
      SELECT e.seq + 1000 * k, gen_random_uuid(), ${kept.map((c) => `e.${c}`).join(', ')} FROM audit_event e CROSS JOIN generate_series(1, 40) AS k`);
    const rows = await ds.query<Array<{ event_id: string }>>(`SELECT event_id::text AS event_id FROM audit_event WHERE seq <= 600 ORDER BY seq LIMIT 100`);
    ids = rows.map((r) => r.event_id);
    assert.equal(ids.length, 100);
    client = new Client({ connectionString: db.url });
    await client.connect();
    client.on('notice', (n) => plans.push(String(n.message)));
    // The partitions as a fresh month's: no statistics, whatever autovacuum did meanwhile (the test connects as the
    // superuser, as on the test machines).
    await client.query(`DELETE FROM pg_statistic WHERE starelid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'audit_event'::regclass)`);
    await client.query(`UPDATE pg_class SET reltuples = -1 WHERE oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'audit_event'::regclass)`);
    await client.query(`LOAD 'auto_explain'`);
    await client.query(`SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on; SET client_min_messages = log`);
  });
  after(async () => {
    await client?.end();
    await ds?.destroy();
    await db?.drop();
  });

  it('the inline lookup the check replaced reads the whole partition here (the state the function guards against)', async () => {
    const { plan } = await plansOf(`SELECT event_id FROM audit_event WHERE event_id = ANY($1::uuid[]) AND created_at >= $2::timestamptz`, [ids, new Date(Date.now() - 3600_000)]);
    assert.match(plan, /Seq Scan on audit_event_\d{4}_\d{2}|Bitmap Index Scan on audit_event_\d{4}_\d{2}_pkey/, plan);
  });

  it('the check descends the event_id index, finds the chained ids and prunes partitions before its window', async () => {
    const since = new Date(Date.now() - 3600_000);
    const { rows, plan } = await plansOf(KNOWN_EVENTS_SQL, [[...ids, randomUUID()], since]);
    assert.deepEqual(rows.map((r) => r.event_id).sort(), [...ids].sort());
    // The month's partition (24,600 rows) is probed id by id; the empty ones ahead may take either index.
    const month = monthPartition(since).name;
    assert.match(plan, new RegExp(`Index Scan using ${month}_event_id_idx on ${month}\\b`), plan);
    assert.doesNotMatch(plan, /Seq Scan on audit_event_|Bitmap Heap Scan on audit_event_/, plan);
    // A window starting after the current month's partition: that partition is not scanned at all.
    const later = (await plansOf(KNOWN_EVENTS_SQL, [ids, new Date(monthPartition(since, 1).from)])).plan;
    assert.doesNotMatch(later.replace(/Subplans Removed.*/g, ''), new RegExp(`on ${month}\\b`), later);
  });
});
