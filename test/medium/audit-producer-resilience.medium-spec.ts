import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_QUEUE, AuditProducer } from '@gw/audit';
import { loadConfig, type GatewayConfig } from '@gw/config';
import { runMigrations, startPostgres, type PostgresHandle } from '@gw/database';
import { configureQueueBackend, DEFAULT_JOB_OPTIONS } from '@gw/queue';
import { Queue } from 'bullmq';
import { makeAuditRecord } from '../../libs/audit/src/testing';

const waitFor = async (cond: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return cond();
};

/** The queue's database goes away and comes back: the producer keeps its records and delivers them. */
describe(AuditProducer.name, () => {
  let dataDir: string;
  let config: GatewayConfig;
  let pg: PostgresHandle | undefined;
  let queue: Queue;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gw-producer-spec-'));
    const probe = loadConfig({ DATA_DIR: dataDir });
    pg = await startPostgres(probe);
    const port = new URL(pg.url).port; // keep this port, so the restarted cluster has the same URL
    await pg.stop();
    config = loadConfig({ DATA_DIR: dataDir, EMBEDDED_PG_PORT: port });
    pg = await startPostgres(config);
    await runMigrations(pg.url);
    const qc = configureQueueBackend(config, pg.url);
    queue = new Queue(AUDIT_QUEUE, { connection: qc.connection, defaultJobOptions: DEFAULT_JOB_OPTIONS });
    queue.on('error', () => undefined);
  });

  after(async () => {
    await queue?.close();
    await pg?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('record() returns at once; batches go out at batchSize or after flushMs', async () => {
    const sut = new AuditProducer(queue, { batchSize: 10, flushMs: 50, maxBuffered: 1_000 });
    const started = performance.now();
    for (let i = 0; i < 25; i++) sut.record(makeAuditRecord());
    assert.ok(performance.now() - started < 20, 'record() does not wait for the queue');
    assert.equal(sut.pending, 25);
    assert.ok(await waitFor(() => sut.pending === 0, 5_000));
    assert.equal(sut.stats.enqueued, 25);
    await sut.close();
  });

  it('keeps records while the queue is unreachable, retries with backoff, delivers them once it is back', async () => {
    const sut = new AuditProducer(queue, { batchSize: 20, flushMs: 5, maxBuffered: 1_000 });
    const before = await queue.getWaitingCount();
    await pg!.stop();
    const records = Array.from({ length: 50 }, () => makeAuditRecord());
    for (const r of records) sut.record(r);
    assert.ok(await waitFor(() => sut.stats.consecutiveFailures >= 2, 10_000), 'enqueue keeps failing while Postgres is down');
    assert.equal(sut.pending, 50);
    assert.equal(sut.stats.dropped, 0);
    assert.equal(await sut.flush(300), 50, 'flush reports what it could not send');

    pg = await startPostgres(config);
    assert.ok(await waitFor(() => sut.pending === 0, 15_000), `delivered after restart (pending ${sut.pending})`);
    assert.equal(sut.stats.consecutiveFailures, 0);
    // One job per flushed batch: the 50 records are all there, once each.
    const jobs = (await queue.getJobs(['waiting'], 0, -1)).filter((j) => j.name === 'audit-batch');
    const ours = new Set(records.map((r) => r.requestId));
    const queued = jobs.flatMap((j) => (j.data as { records: Array<{ requestId: string }> }).records.map((r) => r.requestId)).filter((id) => ours.has(id));
    assert.deepEqual(queued.sort(), [...ours].sort());
    assert.ok((await queue.getWaitingCount()) - before <= 50 / 20 + 1, 'batches, not one job per record');
    await sut.close();
  });

  it('bounds the buffer: beyond maxBuffered records are logged as lost and counted, never silently', async () => {
    const sut = new AuditProducer(queue, { batchSize: 100, flushMs: 1_000, maxBuffered: 10 });
    for (let i = 0; i < 15; i++) sut.record(makeAuditRecord());
    assert.equal(sut.pending, 10);
    assert.equal(sut.stats.dropped, 5);
    await sut.close();
    assert.equal(sut.pending, 0);
    sut.record(makeAuditRecord()); // after close: logged as lost, no throw
    assert.equal(sut.stats.dropped, 6);
  });
});

describe(`${AuditProducer.name} with Redis unreachable`, () => {
  it('flush() and close() honour their timeout even when a send hangs, and report what is left', async () => {
    const port = await new Promise<number>((ok) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as AddressInfo).port;
        srv.close(() => ok(p));
      });
    });
    const queue = new Queue(AUDIT_QUEUE, { connection: { url: `redis://127.0.0.1:${port}` }, prefix: 'gwtest-unreachable' });
    queue.on('error', () => undefined);
    const sut = new AuditProducer(queue, { batchSize: 10, flushMs: 5, maxBuffered: 100 });
    for (let i = 0; i < 5; i++) sut.record(makeAuditRecord());
    let started = Date.now();
    assert.equal(await sut.flush(400), 5);
    assert.ok(Date.now() - started < 1_500, `flush returned after ${Date.now() - started} ms`);
    started = Date.now();
    await sut.close(300);
    assert.ok(Date.now() - started < 1_500, `close returned after ${Date.now() - started} ms`);
    assert.equal(sut.stats.enqueued, 0);
    await queue.disconnect();
  });
});
