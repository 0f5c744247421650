import 'reflect-metadata';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { auditCoverage, countAuditRows, makeAuditRecord, startAuditPipeline, waitForAuditRows } from '../../libs/audit/src/testing';
import { waitForQueueIdle } from '../../libs/queue/src/testing';
import { captureLogs, MODES, setupMode, type PoisonEnv } from './poison-support';

/**
 * The other side of dead-lettering: while the writers cannot reach Postgres (every connection cut and
 * refused, as during a restart), no record is to blame. Nothing may be dead-lettered or dropped; the
 * jobs retry with BullMQ's backoff and every record lands once Postgres is back.
 */
for (const mode of MODES) {
  describe(`writers during a Postgres outage (BullMQ on ${mode})`, () => {
    let env: PoisonEnv;

    before(async () => {
      env = await setupMode(mode, 'outage', { viaProxy: true });
    });

    after(async () => {
      await env?.teardown();
    });

    it('3 s without Postgres: 0 dead letters, 0 failed jobs, every record written after it returns', async (t) => {
      const proxy = env.proxy!;
      const logs = captureLogs();
      const sut = startAuditPipeline(env.qc, env.ds, { processor: { batchSize: 50 }, deadLetters: env.deadLetters });
      try {
        await sut.processor.waitUntilReady();
        const warm = makeAuditRecord();
        sut.producer.record(warm);
        await waitForAuditRows(env.direct, 1); // the writers' pool holds live connections when they are cut

        await proxy.cut();
        const records = Array.from({ length: 200 }, () => makeAuditRecord());
        for (const r of records) sut.producer.record(r);
        assert.equal(await sut.producer.flush(), 0);
        await sleep(3_000);
        const during = { rows: await countAuditRows(env.direct), failed: await sut.queue.getFailedCount(), retrying: await sut.queue.getDelayedCount() };
        const [{ n: deadDuring }] = await env.direct.query<Array<{ n: number }>>('SELECT count(*)::int AS n FROM dead_letter');
        t.diagnostic(`${mode}: during the outage ${JSON.stringify({ ...during, deadDuring })}`);
        assert.equal(during.rows, 1);
        assert.equal(deadDuring, 0, 'an outage dead-letters nothing');
        assert.equal(during.failed, 0, 'the jobs still have attempts left');

        await proxy.restore();
        const back = performance.now();
        await waitForAuditRows(env.direct, 201, 30_000);
        await waitForQueueIdle(sut.queue, 30_000);
        t.diagnostic(`${mode}: all rows ${Math.round(performance.now() - back)} ms after Postgres came back; stats ${JSON.stringify(sut.processor.stats)}`);
        assert.deepEqual(await auditCoverage(env.direct, records.map((r) => r.requestId)), { missing: [], duplicated: [] });
        assert.deepEqual(await env.deadLetters.counts(), {});
        assert.equal(await sut.queue.getFailedCount(), 0);
        assert.equal(sut.processor.stats.deadLettered, 0);
        assert.equal(sut.processor.stats.splits, 0, 'an unavailable database is not bisected');
      } finally {
        logs.restore();
        await sut.close({ obliterate: true });
      }
      const retries = logs.lines.filter((l) => l.startsWith('[warn]') && /audit job \S+ failed \(attempt \d+ of 10000\): (ECONNREFUSED|unknown|SQLSTATE 57P01)/.test(l));
      assert.ok(retries.length > 0, 'the failed attempts were logged (warn, with the error code)');
      assert.deepEqual(logs.lines.filter((l) => l.includes('DEAD-LETTERED') || l.includes('FAILED PERMANENTLY')), []);
    });
  });
}
