import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { BILLING_JOB_NAME, BILLING_QUEUE, billingJobId, LedgerProcessor, LedgerRepository, type UsageEntry } from '@gw/metering';
import { DEFAULT_JOB_OPTIONS } from '@gw/queue';
import { obliterateQueue, waitForQueueIdle } from '../../libs/queue/src/testing';
import { captureLogs, deadLetterRows, MODES, setupMode, type PoisonEnv } from './poison-support';

/**
 * The billing ledger under the same poison as the audit writer: entries the ledger cannot take (an org
 * id that is not a uuid, refused by `parse`; a NUL or an out-of-range count, refused by Postgres) are
 * dead-lettered one by one, every other entry settles exactly once, and no log line repeats a value.
 */
for (const mode of MODES) {
  describe(`billing ledger with poisoned entries (real Postgres, BullMQ on ${mode})`, () => {
    let env: PoisonEnv;

    before(async () => {
      env = await setupMode(mode, 'billing');
    });

    after(async () => {
      await env?.teardown();
    });

    it('200 entries, 10 poisoned: 190 ledger rows, balance = ledger sum, 10 dead letters, 0 failed jobs, clean logs', async (t) => {
      const org = randomUUID();
      const ledger = new LedgerRepository(env.ds);
      await ledger.grant(org, 10_000, null);
      const tag = randomUUID().slice(0, 8);
      const entries: UsageEntry[] = Array.from({ length: 200 }, (_, i) => ({
        v: 1, requestId: `req_${tag}_${i}`, orgId: org, apiKeyId: null, userId: null, model: 'm',
        inputTokens: 10, outputTokens: 20, credits: 1 + (i % 3), costUsd: 0.00015, occurredAt: new Date().toISOString(),
      }));
      const poisoned = new Map<number, { marker: string; code: string }>();
      for (let k = 0; k < 10; k++) {
        const i = k * 20 + 3;
        if (k % 2 === 0) {
          entries[i] = { ...entries[i], orgId: `orgpoison${tag}` }; // not a uuid: refused by parse
          poisoned.set(i, { marker: `orgpoison${tag}`, code: 'invalid_payload' });
        } else if (mode === 'redis') {
          entries[i] = { ...entries[i], model: `nulpoison${tag}\u0000` }; // 22021 in the INSERT
          poisoned.set(i, { marker: `nulpoison${tag}`, code: '22021' });
        } else {
          entries[i] = { ...entries[i], inputTokens: 3_123_456_789 }; // 22003 (jsonb refuses NUL at enqueue)
          poisoned.set(i, { marker: '3123456789', code: '22003' });
        }
      }

      const logs = captureLogs();
      const queue = new Queue(BILLING_QUEUE, { connection: env.qc.connection, prefix: env.qc.prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
      const sut = new LedgerProcessor(ledger, env.qc, { concurrency: 200, batchSize: 50, lingerMs: 5, maxConcurrentWrites: 1, sweepEveryMs: 60_000 }, env.deadLetters);
      try {
        sut.onApplicationBootstrap();
        await sut.waitUntilReady();
        // Enqueued raw, bypassing the producer's sanitising.
        await queue.addBulk(entries.map((e) => ({ name: BILLING_JOB_NAME, data: e, opts: { jobId: billingJobId(e.requestId) } })));
        await waitForQueueIdle(queue, 30_000);
        t.diagnostic(`${mode}: stats ${JSON.stringify(sut.stats)}`);
        assert.equal(await queue.getFailedCount(), 0, 'no job failed permanently');
      } finally {
        logs.restore();
        await sut.close();
      }
      try {
        const good = entries.filter((_, i) => !poisoned.has(i));
        const rows = await env.direct.query<Array<{ entry_id: string }>>(`SELECT entry_id FROM credit_ledger WHERE kind = 'usage' ORDER BY entry_id`);
        assert.deepEqual(rows.map((r) => r.entry_id), good.map((e) => e.requestId).sort());
        const charged = good.reduce((s, e) => s + e.credits, 0);
        assert.deepEqual(await ledger.balance(org), { balance: 10_000 - charged, reserved: 0, leased: 0, available: 10_000 - charged });
        assert.equal(await ledger.ledgerSum(org), 10_000 - charged);

        const dead = await deadLetterRows(env.direct, BILLING_QUEUE);
        const want = [...poisoned.entries()].map(([i, p]) => `${billingJobId(entries[i].requestId)}=${p.code}`).sort();
        assert.deepEqual(dead.map((d) => `${d.record_key}=${d.error_code}`).sort(), want);
        assert.equal(sut.stats.deadLettered, 10);

        const markers = [...poisoned.values()].map((p) => p.marker);
        assert.deepEqual(logs.lines.filter((l) => markers.some((m) => l.includes(m))), [], 'no log line carries a poisoned value');
        assert.equal(logs.lines.filter((l) => l.startsWith('[error]') && l.includes('DEAD-LETTERED')).length, 10);
      } finally {
        await obliterateQueue(queue);
        await queue.close();
      }
    });
  });
}
