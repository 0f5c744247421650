import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { loadConfig } from '@gw/config';
import { createDataSource } from '@gw/database';
import { BILLING_QUEUE, BillingProducer, CreditReservations, LedgerProcessor, LedgerRepository, type UsageEntry } from '@gw/metering';
import { configureQueueBackend } from '@gw/queue';
import { createTestDatabase, type TestDatabase } from '../../libs/database/src/testing';
import { obliterateQueue, uniqueQueuePrefix, waitForQueueIdle } from '../../libs/queue/src/testing';

const TTL = 60_000;

function entry(orgId: string, requestId: string, credits: number): UsageEntry {
  return { v: 1, requestId, orgId, apiKeyId: null, userId: null, model: 'm', inputTokens: 10, outputTokens: 20, credits, costUsd: 0.00015, occurredAt: new Date().toISOString() };
}

describe('credits: reservation, ledger and balance (Postgres + BullMQ on Redis)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let ledger: LedgerRepository;
  let reservations: CreditReservations;
  let queue: Queue;
  let producer: BillingProducer;
  let processor: LedgerProcessor;

  before(async () => {
    db = await createTestDatabase();
    ds = await createDataSource(db.url, 5).initialize();
    ledger = new LedgerRepository(ds);
    reservations = new CreditReservations(db.url, 20);
    const qc = configureQueueBackend(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }), db.url, { prefix: uniqueQueuePrefix() });
    queue = new Queue(BILLING_QUEUE, { connection: qc.connection, prefix: qc.prefix });
    producer = new BillingProducer(queue, { batchSize: 100, flushMs: 5, maxBuffered: 10_000 });
    processor = new LedgerProcessor(ledger, qc, { concurrency: 100, batchSize: 100, lingerMs: 5, maxConcurrentWrites: 1, sweepEveryMs: 60_000 });
    processor.onApplicationBootstrap();
    await processor.waitUntilReady();
  });

  after(async () => {
    await producer?.close();
    await processor?.close();
    if (queue) await obliterateQueue(queue);
    await queue?.close();
    await reservations?.close();
    await ds?.destroy();
    await db?.drop();
  });

  async function drain(): Promise<void> {
    assert.equal(await producer.flush(), 0);
    await waitForQueueIdle(queue, 15_000);
  }

  it('50 parallel calls against a balance covering 10: 10 admitted, balance ends at 0 and equals the ledger', async () => {
    const org = randomUUID();
    await ledger.grant(org, 10, null);
    const ids = Array.from({ length: 50 }, (_, i) => `req_par_${i}`);
    const results = await Promise.all(ids.map((id) => reservations.reserve(org, id, 1, TTL)));
    const admitted = ids.filter((_, i) => results[i].granted > 0);
    assert.equal(admitted.length, 10);
    assert.ok(results.every((r) => r.granted <= 1));
    assert.deepEqual(await ledger.balance(org), { balance: 10, reserved: 10, leased: 0, available: 0 });
    for (const id of admitted) producer.record(entry(org, id, 1));
    for (const id of ids.filter((i) => !admitted.includes(i))) producer.record(entry(org, id, 0)); // refused: no charge
    await drain();
    assert.deepEqual(await ledger.balance(org), { balance: 0, reserved: 0, leased: 0, available: 0 });
    assert.equal(await ledger.ledgerSum(org), 0);
  });

  it('never grants more than the balance when calls want more than one credit', async () => {
    const org = randomUUID();
    await ledger.grant(org, 10, null);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => reservations.reserve(org, `req_big_${i}`, 3, TTL)));
    const granted = results.map((r) => r.granted).filter((g) => g > 0);
    assert.equal(granted.reduce((a, b) => a + b, 0), 10);
    assert.deepEqual(granted.sort(), [1, 3, 3, 3]);
    // Each admitted call used 1 credit of its grant: the rest goes back.
    results.forEach((r, i) => producer.record(entry(org, `req_big_${i}`, r.granted > 0 ? 1 : 0)));
    await drain();
    assert.deepEqual(await ledger.balance(org), { balance: 6, reserved: 0, leased: 0, available: 6 });
    assert.equal(await ledger.ledgerSum(org), 6);
  });

  it('serialises the reservations of one organisation on its advisory lock', async () => {
    const org = randomUUID();
    await ledger.grant(org, 5, null);
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(hashtextextended($1::text, 7702))', [org]);
      let done = false;
      const pending = reservations.reserve(org, 'req_locked', 1, TTL).then((r) => ((done = true), r));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(done, false, 'a reservation must wait while another one of the organisation is in progress');
      await holder.query('SELECT pg_advisory_unlock(hashtextextended($1::text, 7702))', [org]);
      assert.equal((await pending).granted, 1);
    } finally {
      await holder.end();
    }
  });

  it('groups the calls of one organisation that arrive while a batch is in flight: one lock hold per batch, exact grants', async () => {
    const org = randomUUID();
    await ledger.grant(org, 100, null);
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    const before = reservations.batchStats;
    try {
      // Hold the lock so the first call stays in flight while the others arrive: they must leave as one batch.
      await holder.query('SELECT pg_advisory_lock(hashtextextended($1::text, 7702))', [org]);
      const first = reservations.reserve(org, 'req_grp_first', 2, TTL);
      await new Promise((r) => setTimeout(r, 100));
      const rest = Array.from({ length: 60 }, (_, i) => reservations.reserve(org, `req_grp_${i}`, 2, TTL));
      const dup = reservations.reserve(org, 'req_grp_7', 2, TTL); // a repeated request id in the same batch
      await holder.query('SELECT pg_advisory_unlock(hashtextextended($1::text, 7702))', [org]);
      const results = await Promise.all([first, ...rest, dup]);
      const after = reservations.batchStats;
      assert.equal(after.items - before.items, 62);
      assert.equal(after.batches - before.batches, 2, 'the first call alone, then everything that waited for it');
      assert.equal(results.at(-1)!.granted, 0, 'a request id already held is granted nothing');
      const granted = results.map((r) => r.granted);
      assert.equal(
        granted.reduce((a, b) => a + b, 0),
        100,
      );
      assert.deepEqual(granted.slice(0, 50), Array(50).fill(2), 'granted in arrival order until the balance is spent');
      assert.deepEqual(granted.slice(50, 62), Array(12).fill(0));
      assert.equal(results[1].availableBefore, 98);
      assert.equal(results[49].availableBefore, 2);
      assert.deepEqual(await ledger.balance(org), { balance: 100, reserved: 100, leased: 0, available: 0 });
    } finally {
      await holder.end();
    }
  });

  it('runs the batch function on one generic plan without bitmap scans (migrations 1795450000000, 1795460000000)', async () => {
    // One generic plan: a call skips the planner. No bitmap scan: the held-credits sum by org_id is a plain index scan,
    // which marks the settled (deleted) reservations' index entries dead, where a bitmap scan visits them on every call.
    const rows = await ds.query<Array<{ proconfig: string[] | null }>>(`SELECT proconfig FROM pg_proc WHERE proname = 'gw_reserve_credits_batch'`);
    assert.deepEqual(
      rows.map((r) => r.proconfig),
      [['plan_cache_mode=force_generic_plan', 'enable_bitmapscan=off']],
    );
  });

  it('vacuums the reservation table on a fixed dead-row threshold (migration 1795470000000)', async () => {
    // A churn table: the default trigger (20 % of a small live table, once a minute) lets dead rows pile up.
    const rows = await ds.query<Array<{ reloptions: string[] | null }>>(`SELECT reloptions FROM pg_class WHERE oid = 'credit_reservation'::regclass`);
    assert.deepEqual(rows[0].reloptions?.slice().sort(), [
      'autovacuum_vacuum_cost_delay=0',
      'autovacuum_vacuum_insert_scale_factor=0',
      'autovacuum_vacuum_insert_threshold=5000',
      'autovacuum_vacuum_scale_factor=0',
      'autovacuum_vacuum_threshold=5000',
    ]);
  });

  it('charges a call once however often its entry is delivered', async () => {
    const org = randomUUID();
    await ledger.grant(org, 5, null);
    await reservations.reserve(org, 'req_dup', 2, TTL);
    const e = entry(org, 'req_dup', 2);
    await ledger.settleBatch([e]);
    await ledger.settleBatch([e, e]);
    producer.record(e);
    await queue.add('usage-entry', e, { jobId: 'forced-redelivery' }); // a second job for the same call
    await drain();
    assert.deepEqual(await ledger.balance(org), { balance: 3, reserved: 0, leased: 0, available: 3 });
    assert.equal(await ledger.ledgerSum(org), 3);
    const rows = await ds.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM credit_ledger WHERE entry_id = 'req_dup'`);
    assert.equal(rows[0].n, 1);
  });

  it('refuses below one credit and for organisations without an account', async () => {
    assert.deepEqual(await reservations.reserve(randomUUID(), 'req_none', 1, TTL), { granted: 0, availableBefore: 0 });
    const org = randomUUID();
    await ledger.grant(org, 1, null);
    assert.equal((await reservations.reserve(org, 'req_a', 5, TTL)).granted, 1);
    assert.deepEqual(await reservations.reserve(org, 'req_b', 1, TTL), { granted: 0, availableBefore: 0 });
  });

  it('releases reservations of calls that never settled once they expire', async () => {
    const org = randomUUID();
    await ledger.grant(org, 4, null);
    await reservations.reserve(org, 'req_lost', 3, 1); // a gateway died mid-call; 1 ms TTL
    await new Promise((r) => setTimeout(r, 20));
    assert.ok((await ledger.sweepExpired()) >= 1);
    assert.deepEqual(await ledger.balance(org), { balance: 4, reserved: 0, leased: 0, available: 4 });
  });

  it('reports usage by day, key and model from the ledger', async () => {
    const org = randomUUID();
    await ledger.grant(org, 100, null);
    for (const [i, model] of ['a', 'a', 'b'].entries()) {
      await reservations.reserve(org, `req_u${i}`, 2, TTL);
      await ledger.settleBatch([{ ...entry(org, `req_u${i}`, 2), model }]);
    }
    const rows = await ledger.usage(org, new Date(Date.now() - 86_400_000), new Date(Date.now() + 86_400_000));
    assert.deepEqual(rows.map((r) => [r.model, r.requests, r.credits, r.inputTokens]), [['a', 2, 4, 20], ['b', 1, 2, 10]]);
    assert.equal(await ledger.ledgerSum(org), 94);
  });
});
