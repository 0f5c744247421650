import 'reflect-metadata';
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@gw/config';
import { checkDatabase, createDataSource } from '@gw/database';
import { checkQueue, configureQueueBackend, type QueueConnection } from '@gw/queue';
import type { DataSource } from 'typeorm';
import {
  auditCoverage,
  countAuditRows,
  createAuditRepository,
  makeAuditRecord,
  startAuditPipeline,
  waitForAuditRows,
} from '../../libs/audit/src/testing';
import { assertTestDatabase, createTestDatabase, truncateTables, type TestDatabase } from '../../libs/database/src/testing';
import { uniqueQueuePrefix, waitForQueueIdle } from '../../libs/queue/src/testing';

const ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Production mode: the machine's Postgres (DATABASE_URL) and Redis (REDIS_URL). */
describe('audit pipeline, production mode (Postgres via DATABASE_URL + BullMQ on Redis)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let qc: QueueConnection;

  before(async () => {
    db = await createTestDatabase({ adminUrl: ADMIN_URL });
    assertTestDatabase(db.url);
    ds = createDataSource(db.url, 4);
    await ds.initialize();
    const config = loadConfig({ DATABASE_URL: db.url, REDIS_URL });
    qc = configureQueueBackend(config, db.url, { prefix: uniqueQueuePrefix() });
  });

  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  beforeEach(() => truncateTables(ds, ['audit_event']));

  it('refuses a database whose name lacks "test"', () => {
    assert.throws(() => assertTestDatabase('postgres://postgres@127.0.0.1:5432/gateway'), /must contain "test"/);
    assert.equal(qc.kind, 'redis');
    assert.deepEqual(qc.workerConnection, { url: REDIS_URL, maxRetriesPerRequest: null });
  });

  it('insertBatch: one statement, skips known request ids, dedupes within a batch', async () => {
    const sut = createAuditRepository(ds);
    const records = Array.from({ length: 50 }, () => makeAuditRecord());
    assert.equal(await sut.insertBatch(records), 50);
    const again = [...records.slice(0, 10), ...Array.from({ length: 5 }, () => makeAuditRecord())];
    assert.equal(await sut.insertBatch([...again, again[12]]), 5);
    assert.equal(await countAuditRows(ds), 55);
    assert.equal(await sut.insertBatch([]), 0);
    const row = await sut.findByRequestId(records[3].requestId);
    assert.equal(row?.model, 'abliterated-model');
    assert.equal(row?.attributes && Object.keys(row.attributes).length, 0);
  });

  it('insertBatch keeps attributes, rounds fractional numbers, and rejects nothing valid', async () => {
    const sut = createAuditRepository(ds);
    const rec = makeAuditRecord({ latencyMs: 12.6, ttftMs: 3.2, attributes: { policyVersion: 'p1', flagged: ['pii'] } });
    assert.equal(await sut.insertBatch([rec]), 1);
    const row = await sut.findByRequestId(rec.requestId);
    assert.deepEqual(
      { latencyMs: row?.latency_ms, ttftMs: row?.ttft_ms, attributes: row?.attributes },
      { latencyMs: 13, ttftMs: 3, attributes: { policyVersion: 'p1', flagged: ['pii'] } },
    );
  });

  it('producer → Redis → processor → rows, each exactly once, duplicates ignored', async (t) => {
    const sut = startAuditPipeline(qc, ds);
    try {
      const records = Array.from({ length: 5_000 }, () => makeAuditRecord());
      const started = performance.now();
      for (const r of records) sut.producer.record(r);
      for (const r of records.slice(0, 500)) sut.producer.record({ ...r });
      await waitForAuditRows(ds, records.length, 60_000);
      const seconds = (performance.now() - started) / 1000;
      t.diagnostic(`production: ${records.length} records end-to-end in ${seconds.toFixed(2)} s (${Math.round(records.length / seconds)} rows/s)`);
      await waitForQueueIdle(sut.queue);
      assert.deepEqual(await auditCoverage(ds, records.map((r) => r.requestId)), { missing: [], duplicated: [] });
      assert.equal(await countAuditRows(ds), records.length);
      assert.equal((await checkQueue(sut.queue)).counts?.failed, 0);
      assert.equal((await checkDatabase(ds)).ok, true);
    } finally {
      await sut.close({ obliterate: true });
    }
  });

  it('a malformed job is dead-lettered at once (no retries), not left to fail', async () => {
    const sut = startAuditPipeline(qc, ds);
    try {
      await sut.queue.add('audit-event', { v: 1, requestId: 42 }, { jobId: 'bad.audit', attempts: 5 });
      await waitForQueueIdle(sut.queue, 10_000);
      const job = await sut.queue.getJob('bad.audit');
      assert.equal(await job?.getState(), 'completed');
      assert.equal(job?.attemptsMade, 1);
      const [dead] = await ds.query('SELECT error_code, error_message, payload FROM dead_letter WHERE queue = $1 AND record_key = $2', ['audit', 'bad.audit']);
      assert.equal(dead?.error_code, 'invalid_payload');
      assert.match(dead?.error_message ?? '', /invalid audit record: .*requestId must be a string/);
      assert.deepEqual(dead?.payload, { v: 1, requestId: 42 });
      assert.equal(await countAuditRows(ds), 0);
    } finally {
      await sut.close({ obliterate: true });
    }
  });
});
