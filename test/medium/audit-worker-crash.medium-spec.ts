import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { loadConfig } from '@gw/config';
import { createDataSource } from '@gw/database';
import { configureQueueBackend, type QueueConnection } from '@gw/queue';
import type { DataSource } from 'typeorm';
import { auditCoverage, countAuditRows, makeAuditRecord, startAuditPipeline, waitForAuditRows } from '../../libs/audit/src/testing';
import { createTestDatabase, startTestEmbeddedPostgres, type TestDatabase, type TestEmbeddedPostgres } from '../../libs/database/src/testing';
import { uniqueQueuePrefix, waitForQueueIdle } from '../../libs/queue/src/testing';

const dist = (p: string) => JSON.stringify(resolve(__dirname, '../../libs', p));
const N = 3_000;

/**
 * A worker in another Node process with slow, one-at-a-time batch writes (100 ms before and 150 ms
 * after each commit): a SIGKILL right after a commit catches committed-but-uncompleted jobs
 * (redelivered, absorbed by ON CONFLICT DO NOTHING) and a backlog of jobs whose batch never
 * committed (redelivered, written by the survivor). A worker that completed jobs before their
 * commit would lose that backlog, and this test would fail.
 */
function spawnWorker(env: Record<string, string>, dbUrl: string, prefix: string): Promise<ChildProcess> {
  const code = `
    require('reflect-metadata');
    const { loadConfig } = require(${dist('config/src/index.js')});
    const { createDataSource } = require(${dist('database/src/index.js')});
    const { configureQueueBackend } = require(${dist('queue/src/index.js')});
    const { AuditProcessor } = require(${dist('audit/src/index.js')});
    const { createAuditRepository } = require(${dist('audit/src/testing.js')});
    (async () => {
      const [env, dbUrl, prefix] = JSON.parse(process.argv[1]);
      const qc = configureQueueBackend(loadConfig(env), dbUrl, { prefix });
      const ds = createDataSource(dbUrl, 4);
      await ds.initialize();
      const repo = createAuditRepository(ds);
      const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
      const slow = { insertBatch: async (r) => { await sleep(100); const n = await repo.insertBatch(r); await sleep(150); return n; } };
      const worker = new AuditProcessor(slow, qc, { concurrency: 200, batchSize: 50, lingerMs: 5, maxConcurrentWrites: 1 });
      worker.start();
      process.stdout.write('started\\n');
    })();`;
  const child = spawn(process.execPath, ['-e', code, JSON.stringify([env, dbUrl, prefix])], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((ok, fail) => {
    child.stdout.once('data', () => ok(child));
    child.once('exit', (c) => fail(new Error(`worker exited early (${c})`)));
  });
}

async function killMidBatch(child: ChildProcess, ds: DataSource): Promise<number> {
  let last = await countAuditRows(ds);
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 10));
    const now = await countAuditRows(ds);
    if (now >= 300 && now > last) break; // a batch has just committed: its jobs are not completed yet
    last = now;
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return countAuditRows(ds);
}

function crashScenario(name: string, setup: () => Promise<{ env: Record<string, string>; dbUrl: string; teardown(): Promise<void> }>) {
  describe(`audit worker killed mid-batch (${name})`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    let ds: DataSource;
    let qc: QueueConnection;
    const prefix = uniqueQueuePrefix();

    before(async () => {
      ctx = await setup();
      ds = createDataSource(ctx.dbUrl, 4);
      await ds.initialize();
      qc = configureQueueBackend(loadConfig(ctx.env), ctx.dbUrl, { prefix });
    });

    after(async () => {
      await ds?.destroy();
      await ctx?.teardown();
    });

    it('a new worker completes the redelivered jobs: every record exactly once', async (t) => {
      const producerSide = startAuditPipeline(qc, ds, { startWorker: false });
      const records = Array.from({ length: N }, () => makeAuditRecord());
      for (const r of records) producerSide.producer.record(r);
      assert.equal(await producerSide.producer.flush(), 0);

      const child = await spawnWorker(ctx.env, ctx.dbUrl, prefix);
      const atKill = await killMidBatch(child, ds);
      t.diagnostic(`${name}: ${atKill} of ${N} rows committed when the worker was SIGKILLed`);
      assert.ok(atKill > 0 && atKill < N, `killed mid-way (${atKill})`);

      const started = Date.now();
      const survivor = startAuditPipeline(qc, ds);
      try {
        await waitForAuditRows(ds, N, 60_000);
        await waitForQueueIdle(survivor.queue, 30_000);
        t.diagnostic(`${name}: recovered in ${Date.now() - started} ms; survivor stats ${JSON.stringify(survivor.processor.stats)}`);
        assert.deepEqual(await auditCoverage(ds, records.map((r) => r.requestId)), { missing: [], duplicated: [] });
        assert.equal(await countAuditRows(ds), N);
        const { written, inserted } = survivor.processor.stats;
        assert.ok(written > inserted, 'some redelivered jobs had already been written (absorbed by ON CONFLICT)');
        assert.equal(await survivor.queue.getFailedCount(), 0);
      } finally {
        await producerSide.close();
        await survivor.close({ obliterate: qc.kind === 'redis' });
      }
    });
  });
}

crashScenario('embedded: Postgres backend', async () => {
  const pg: TestEmbeddedPostgres = await startTestEmbeddedPostgres();
  return { env: { DATA_DIR: pg.dataDir }, dbUrl: pg.url, teardown: () => pg.dispose() };
});

crashScenario('production: Redis', async () => {
  const db: TestDatabase = await createTestDatabase({ adminUrl: process.env.TEST_PG_ADMIN_URL });
  const env = { DATABASE_URL: db.url, REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' };
  return { env, dbUrl: db.url, teardown: () => db.drop() };
});
