import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AuditProcessorModule, AuditProducer, AuditProducerModule } from '@gw/audit';
import { ConfigModule } from '@gw/config';
import { createDataSource, DatabaseModule } from '@gw/database';
import { checkQueue, configureQueueBackend, QueueModule, type QueueConnection } from '@gw/queue';
import { Test } from '@nestjs/testing';
import type { DataSource } from 'typeorm';
import { auditCoverage, countAuditRows, makeAuditRecord, startAuditPipeline, waitForAuditRows } from '../../libs/audit/src/testing';
import { startTestEmbeddedPostgres, truncateTables, type TestEmbeddedPostgres } from '../../libs/database/src/testing';
import { waitForQueueIdle } from '../../libs/queue/src/testing';

/** Embedded default: embedded Postgres + BullMQ's Postgres backend, no Redis, no DATABASE_URL. */
describe('audit pipeline, embedded mode (embedded Postgres + BullMQ Postgres backend)', () => {
  let pg: TestEmbeddedPostgres;
  let ds: DataSource;
  let qc: QueueConnection;

  before(async () => {
    pg = await startTestEmbeddedPostgres();
    ds = createDataSource(pg.url, 4);
    await ds.initialize();
    qc = configureQueueBackend(pg.config, pg.url);
  });

  after(async () => {
    await ds?.destroy();
    await pg?.dispose();
  });

  it('chooses the Postgres queue backend when REDIS_URL is unset', () => {
    assert.equal(qc.kind, 'postgres');
    assert.deepEqual(
      { ...(qc.connection as Record<string, unknown>) },
      { connectionString: pg.url, schema: 'bullmq', migrate: true, max: 10, application_name: 'llm-gateway-queue' },
    );
  });

  it('producer → queue → processor → audit_event rows, each once, with duplicates enqueued', async (t) => {
    await truncateTables(ds, ['audit_event']);
    const sut = startAuditPipeline(qc, ds, { producer: { batchSize: 100, flushMs: 10 } });
    try {
      const records = Array.from({ length: 1_000 }, () => makeAuditRecord());
      const started = performance.now();
      for (const r of records) sut.producer.record(r);
      // The same request ids again: same jobIds (ignored while retained) and ON CONFLICT DO NOTHING.
      for (const r of records.slice(0, 200)) sut.producer.record({ ...r });
      await waitForAuditRows(ds, records.length, 30_000);
      const seconds = (performance.now() - started) / 1000;
      t.diagnostic(`embedded: ${records.length} records end-to-end in ${seconds.toFixed(2)} s (${Math.round(records.length / seconds)} rows/s)`);
      await waitForQueueIdle(sut.queue, 10_000);
      assert.equal(await countAuditRows(ds), records.length);
      const coverage = await auditCoverage(ds, records.map((r) => r.requestId));
      assert.deepEqual(coverage, { missing: [], duplicated: [] });
      assert.equal(sut.producer.pending, 0);
      assert.equal(sut.producer.stats.dropped, 0);
      const health = await checkQueue(sut.queue);
      assert.equal(health.ok, true);
      assert.equal(health.counts?.failed, 0);
    } finally {
      await sut.close();
    }
  });

  it('stores every column as recorded, and attributes default to {}', async () => {
    await truncateTables(ds, ['audit_event']);
    const sut = startAuditPipeline(qc, ds);
    try {
      const rec = makeAuditRecord({ stream: true, status: 'error', httpStatus: 502, errorCode: 'upstream_error', finishReason: null, ttftMs: 7 });
      sut.producer.record(rec);
      await waitForAuditRows(ds, 1);
      const [row] = await ds.query<Record<string, unknown>[]>('SELECT * FROM audit_event WHERE request_id = $1', [rec.requestId]);
      assert.ok(row);
      assert.equal(row.stream, true);
      assert.equal(row.status, 'error');
      assert.equal(row.http_status, 502);
      assert.equal(row.error_code, 'upstream_error');
      assert.equal(row.finish_reason, null);
      assert.equal(row.ttft_ms, 7);
      assert.equal((row.started_at as Date).toISOString(), rec.startedAt);
      assert.deepEqual(row.attributes, {});
      assert.ok((row.created_at as Date).getTime() >= Date.parse(rec.finishedAt) - 1000);
    } finally {
      await sut.close();
    }
  });

  it('wires into Nest: inference app (producer) + control app (processor); closing flushes and drains', async () => {
    await truncateTables(ds, ['audit_event']);
    const control = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(pg.config), DatabaseModule.forRoot(pg.url, 4), QueueModule.forRoot(qc), AuditProcessorModule],
    }).compile();
    const inference = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(pg.config), QueueModule.forRoot(qc), AuditProducerModule],
    }).compile();
    const controlApp = await control.init();
    const inferenceApp = await inference.init();
    try {
      const producer = inferenceApp.get(AuditProducer);
      const records = Array.from({ length: 300 }, () => makeAuditRecord());
      for (const r of records) producer.record(r);
      assert.equal(producer.pending, 300);
      await inferenceApp.close(); // beforeApplicationShutdown: the producer flushes before its queue closes
      assert.equal(producer.pending, 0);
      await waitForAuditRows(ds, records.length, 20_000);
      assert.deepEqual(await auditCoverage(ds, records.map((r) => r.requestId)), { missing: [], duplicated: [] });
    } finally {
      await inferenceApp.close();
      await controlApp.close(); // onModuleDestroy: the worker drains before TypeORM closes its data source
    }
  });
});
