import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AUDIT_JOB_NAME, AUDIT_QUEUE, auditJobId, type AuditRecordV1 } from '@gw/audit';
import { replayDeadLetters } from '@gw/queue';
import { auditCoverage, countAuditRows, makeAuditRecord, startAuditPipeline, waitForAuditRows } from '../../libs/audit/src/testing';
import { waitForQueueIdle } from '../../libs/queue/src/testing';
import { captureLogs, deadLetterRows, MODES, setupMode, type PoisonEnv, type QueueMode } from './poison-support';

/**
 * Issue 8, reproducer 5 at the writer: one poisoned row used to fail its whole batch (one UNNEST
 * INSERT), innocent rows failed all their attempts, and the failed INSERT was logged with its values.
 * Each poison carries a marker that must never appear in a log line.
 */
function poisons(mode: QueueMode): Array<{ marker: string; code: string; poison: (r: AuditRecordV1) => AuditRecordV1 }> {
  const tag = randomUUID().slice(0, 8);
  const list = [
    { marker: '71337', code: '22003', poison: (r: AuditRecordV1) => ({ ...r, httpStatus: 71_337 }) }, // smallint out of range
    { marker: '-271000', code: '22009', poison: (r: AuditRecordV1) => ({ ...r, startedAt: '-271000-01-01T00:00:00.000Z' }) }, // JS date, not a Postgres one
  ];
  // A NUL in a text column (22021). BullMQ's Postgres backend stores jobs as jsonb, which refuses
  // \u0000 at enqueue time: there the integer overflow takes its place.
  list.push(
    mode === 'redis'
      ? { marker: `nulpoison${tag}`, code: '22021', poison: (r) => ({ ...r, model: `nulpoison${tag}\u0000model` }) }
      : { marker: '3123456789', code: '22003', poison: (r) => ({ ...r, inputTokens: 3_123_456_789 }) },
  );
  return list;
}

for (const mode of MODES) {
  describe(`audit writer with poisoned rows (real Postgres, BullMQ on ${mode})`, () => {
    let env: PoisonEnv;

    before(async () => {
      env = await setupMode(mode, 'audit');
    });

    after(async () => {
      await env?.teardown();
    });

    it('200 records, 10 poisoned at the writer: 190 rows, 10 dead letters, 0 failed jobs, no value in any log line', async (t) => {
      const kinds = poisons(mode);
      const records = Array.from({ length: 200 }, () => makeAuditRecord());
      const bad = new Map<number, (typeof kinds)[number]>();
      for (let k = 0; k < 10; k++) bad.set(k * 20 + 7, kinds[k % kinds.length]);
      const jobs = records.map((r, i) => ({ name: AUDIT_JOB_NAME, data: bad.get(i)?.poison(r) ?? r, opts: { jobId: auditJobId(r.requestId) } }));

      const logs = captureLogs();
      // Batches of 50, so poisoned rows share batches with innocent ones; enqueued raw, bypassing
      // the producer's sanitising: the writer alone must cope.
      const sut = startAuditPipeline(env.qc, env.ds, { processor: { batchSize: 50, concurrency: 200 }, deadLetters: env.deadLetters });
      await sut.processor.waitUntilReady();
      const started = performance.now();
      try {
        await sut.queue.addBulk(jobs);
        await waitForAuditRows(env.direct, 190, 30_000);
        await waitForQueueIdle(sut.queue, 30_000);
      } finally {
        logs.restore();
      }
      try {
        t.diagnostic(`${mode}: drained in ${Math.round(performance.now() - started)} ms; stats ${JSON.stringify(sut.processor.stats)}`);
        const good = records.filter((_, i) => !bad.has(i)).map((r) => r.requestId);
        assert.deepEqual(await auditCoverage(env.direct, good), { missing: [], duplicated: [] });
        assert.equal(await countAuditRows(env.direct), 190);

        const dead = await deadLetterRows(env.direct, AUDIT_QUEUE);
        const expected = [...bad.entries()].map(([i, k]) => ({ record_key: auditJobId(records[i].requestId), error_code: k.code })).sort((a, b) => a.record_key.localeCompare(b.record_key));
        assert.deepEqual(dead.map((d) => ({ record_key: d.record_key, error_code: d.error_code })).sort((a, b) => a.record_key.localeCompare(b.record_key)), expected);
        assert.ok(dead.every((d) => d.failures === 1 && !kinds.some((k) => d.error_message.includes(k.marker))), 'messages are templates');
        assert.equal((dead.find((d) => d.error_code === '22021')?.payload as AuditRecordV1 | undefined)?.model.includes('\u0000') ?? false, false, 'payload stored sanitised');
        assert.deepEqual(await env.deadLetters.counts(), { [AUDIT_QUEUE]: { open: 10, total: 10, failures: 10 } });
        assert.equal(sut.processor.stats.deadLettered, 10);
        assert.equal(await sut.queue.getFailedCount(), 0, 'no job failed permanently');

        const leaks = logs.lines.filter((l) => kinds.some((k) => l.includes(k.marker)));
        assert.deepEqual(leaks, [], 'no log line carries a poisoned value');
        const loud = logs.lines.filter((l) => l.startsWith('[error]') && l.includes('DEAD-LETTERED'));
        assert.equal(loud.length, 10, 'one error line per dead letter');
        assert.ok(loud.every((l) => /audit job \S+\.audit DEAD-LETTERED after 1 attempt\(s\): SQLSTATE 22\d\d\d/.test(l)), loud[0]);

        // Replay: the stored payloads are sanitised, so the NUL rows now land; the others fail again.
        const fixed = [...bad.values()].filter((k) => k.code === '22021').length;
        const replay = await replayDeadLetters(env.deadLetters, sut.queue);
        assert.deepEqual([replay.open, replay.replayed.length, replay.skipped.length], [10, 10, 0]);
        await waitForAuditRows(env.direct, 190 + fixed, 15_000);
        await waitForQueueIdle(sut.queue, 15_000);
        assert.equal(await countAuditRows(env.direct), 190 + fixed);
        assert.deepEqual(await env.deadLetters.counts(), { [AUDIT_QUEUE]: { open: 10 - fixed, total: 10, failures: 10 + 10 - fixed } });
      } finally {
        await sut.close({ obliterate: true });
      }
    });

    it('the producer sanitises: a record with NUL and lone surrogates neither blocks its batch nor reaches the dead letters', async () => {
      await env.direct.query('TRUNCATE audit_event, dead_letter');
      const sut = startAuditPipeline(env.qc, env.ds, { producer: { batchSize: 50, flushMs: 5 }, deadLetters: env.deadLetters });
      try {
        const records = Array.from({ length: 50 }, () => makeAuditRecord());
        records[10] = { ...records[10], model: 'bad\u0000model', errorCode: '\ud800', httpStatus: 99_999, attributes: { ['k\u0000']: '\udfff' } };
        for (const r of records) sut.producer.record(r);
        assert.equal(await sut.producer.flush(), 0, 'the batch was enqueued (jsonb accepts it on the Postgres backend)');
        await waitForAuditRows(env.direct, 50, 15_000);
        const [row] = await env.direct.query('SELECT model, error_code, http_status, attributes FROM audit_event WHERE request_id = $1', [records[10].requestId]);
        assert.deepEqual(row, { model: 'bad\uFFFDmodel', error_code: '\uFFFD', http_status: 32_767, attributes: { 'k\uFFFD': '\uFFFD' } });
        assert.deepEqual(await env.deadLetters.counts(), {});
      } finally {
        await sut.close({ obliterate: true });
      }
    });
  });
}
