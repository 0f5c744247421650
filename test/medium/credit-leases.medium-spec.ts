import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@gw/database';
import type { CanonicalRequest, Payer } from '@gw/inference';
import { CreditLeases, CreditMeter, CreditReservations, LedgerRepository, ProgressBook, type BillingProducer, type ReservationFacts, type UsageEntry } from '@gw/metering';
import { RELEASE_DEAD_LEASES_SQL } from '../../libs/metering/src/recovery/orphan.sql';
import { createTestDatabase, type TestDatabase } from '../../libs/database/src/testing';
import { until } from '../support/metering-e2e';

const TTL = 60_000;
const SIZING = { chunkCalls: 64, minCalls: 4, share: 1 / 4 };
const facts = (): ReservationFacts => ({ apiKeyId: null, userId: null, model: 'm', provider: 'p', upstreamModel: 'u', surface: 'chat', stream: true, inputTokens: 7, startedAtMs: Date.now() });
const entry = (orgId: string, requestId: string, credits: number, lease?: string): UsageEntry => ({
  v: 1,
  requestId,
  orgId,
  apiKeyId: null,
  userId: null,
  model: 'm',
  inputTokens: 10,
  outputTokens: 20,
  credits,
  costUsd: 0,
  occurredAt: new Date().toISOString(),
  ...(lease ? { lease } : {}),
});

/**
 * A TCP relay to Postgres that can lose one message: with `cut` set, the next bytes the server sends are dropped and
 * the connection is closed, after the server has committed (it answers a function call only at Sync, after the
 * commit); with `cutRequest` set, the next bytes the client sends are, so nothing is applied. Either way the client
 * sees its connection end with the query out: the failure that leaves a lease take or return with an unknown outcome.
 */
async function answerCutter(url: string): Promise<{ url: string; cut: () => void; cutRequest: () => void; close: () => Promise<void> }> {
  const target = new URL(url);
  let cut = false;
  let cutRequest = false;
  const server: Server = createServer((client) => {
    const up = connect(Number(target.port || 5432), target.hostname);
    client.on('data', (d) => {
      if (!cutRequest) return void up.write(d);
      cutRequest = false;
      client.destroy();
      up.destroy();
    });
    up.on('data', (d) => {
      if (!cut) return void client.write(d);
      cut = false;
      client.destroy();
      up.destroy();
    });
    const end = () => (client.destroy(), up.destroy());
    client.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const via = new URL(url);
  via.hostname = '127.0.0.1';
  via.port = String((server.address() as { port: number }).port);
  return { url: via.toString(), cut: () => (cut = true), cutRequest: () => (cutRequest = true), close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('credit leases: per-replica chunks of a balance (Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let ledger: LedgerRepository;
  let reservations: CreditReservations;
  const open: CreditLeases[] = [];

  const replica = (idleMs = 60_000, onError?: (what: string, err: Error) => void) => {
    const progress = new ProgressBook();
    const leases = new CreditLeases(db.url, { ...SIZING, bootId: randomUUID(), progress, ttlMs: TTL, idleMs, carveMs: 60_000, onError });
    open.push(leases);
    return { leases, progress };
  };
  const cutters: Array<{ close: () => Promise<void> }> = [];
  /** A replica whose lease pool reaches Postgres through an {@link answerCutter} (both closed after the spec). */
  const relayed = async (idleMs: number) => {
    const cutter = await answerCutter(db.url);
    cutters.push(cutter);
    const errors: string[] = [];
    const leases = new CreditLeases(cutter.url, { ...SIZING, bootId: randomUUID(), progress: new ProgressBook(), ttlMs: TTL, idleMs, carveMs: 60_000, onError: (what) => errors.push(what) });
    open.push(leases);
    return { cutter, errors, leases };
  };
  const leaseRows = (org: string) =>
    ds.query<Array<{ request_id: string; credits: string; boot_id: string }>>('SELECT request_id, credits, boot_id FROM credit_reservation WHERE org_id = $1 AND lease', [org]);

  /** A per-call reservation, reported to the replica as the meter does; then waits for the lease it starts. */
  async function startLease(leases: CreditLeases, org: string, unit: number): Promise<void> {
    const r = await reservations.reserve(org, `seed_${randomUUID()}`, unit, TTL);
    leases.observe(org, r.availableBefore - r.granted, unit);
    assert.ok(await until(async () => leases.freeCredits(org) > 0, 5_000), 'a lease is taken');
  }

  before(async () => {
    db = await createTestDatabase();
    ds = await createDataSource(db.url, 5).initialize();
    ledger = new LedgerRepository(ds);
    reservations = new CreditReservations(db.url, 5);
  });

  after(async () => {
    for (const l of open) await l.close();
    for (const c of cutters) await c.close();
    await reservations?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('grants from a lease without I/O, holds the lease in Postgres and shrinks it by what settled calls were charged', async () => {
    const org = randomUUID();
    await ledger.grant(org, 10_000, null);
    const { leases } = replica();
    await startLease(leases, org, 5);
    // 64 calls' worth, at most a quarter of the 9,995 left: 320 credits.
    assert.equal(leases.freeCredits(org), 320);
    const [row] = await leaseRows(org);
    assert.equal(Number(row.credits), 320);
    const g = leases.grant(org, 'call_1', 5, facts());
    assert.ok(g && g.leaseId === row.request_id);
    assert.equal(g.availableBefore, 10_000 - 5);
    assert.equal(leases.freeCredits(org), 315);
    leases.settle('call_1', 2); // charged 2 of 5: 3 go back to the lease at once
    assert.equal(leases.freeCredits(org), 318);
    await ledger.settleBatch([entry(org, 'call_1', 2, g.leaseId)]);
    await ledger.settleBatch([entry(org, 'call_1', 2, g.leaseId)]); // a redelivery shrinks nothing more
    assert.equal(Number((await leaseRows(org))[0].credits), 318);
    assert.equal((await ledger.balance(org)).balance, 9_998);
    assert.equal(await ledger.ledgerSum(org), 9_998); // the seed call is still held, not settled
  });

  it('carves calls in flight into rows of their own; their settlement releases the row and leaves the lease alone', async () => {
    const org = randomUUID();
    await ledger.grant(org, 10_000, null);
    const { leases, progress } = replica();
    await startLease(leases, org, 5);
    const free = leases.freeCredits(org);
    assert.ok(leases.grant(org, 'stream_1', 5, facts()));
    assert.ok(leases.grant(org, 'stream_2', 5, facts()));
    progress.watch('stream_1', () => ({ inputTokens: 7, outputTokens: 3 }));
    await leases.carve(); // younger than carveMs (60 s here): not carved yet
    assert.equal((await ds.query(`SELECT 1 FROM credit_reservation WHERE request_id IN ('stream_1', 'stream_2')`)).length, 0);
    await leases.carve(0);
    const rows = await ds.query<Array<{ request_id: string; credits: string; model: string; stream: boolean; lease: boolean }>>(
      `SELECT request_id, credits, model, stream, lease FROM credit_reservation WHERE request_id IN ('stream_1', 'stream_2') ORDER BY 1`,
    );
    assert.deepEqual(
      rows.map((r) => [r.request_id, Number(r.credits), r.model, r.stream, r.lease]),
      [
        ['stream_1', 5, 'm', true, false],
        ['stream_2', 5, 'm', true, false],
      ],
    );
    const lease = (await leaseRows(org))[0];
    assert.equal(Number(lease.credits), free - 10, 'the holds moved out of the lease');
    leases.settle('stream_1', 1);
    assert.equal(leases.freeCredits(org), free - 10, 'a carved call gives nothing back to the lease');
    await ledger.settleBatch([entry(org, 'stream_1', 1, lease.request_id)]);
    const held = async () => Number((await leaseRows(org))[0].credits);
    assert.equal(await held(), free - 10);
    assert.equal((await ds.query(`SELECT 1 FROM credit_reservation WHERE request_id = 'stream_1'`)).length, 0);
    await leases.carve(0); // nothing new to carve: stream_2 keeps its single row
    assert.equal(await held(), free - 10);
  });

  it('a failed carve is reported once however many waited for it, never rejects, and the call is carved at the next try', async () => {
    const org = randomUUID();
    await ledger.grant(org, 10_000, null);
    const errors: string[] = [];
    const { leases } = replica(60_000, (what) => errors.push(what));
    await startLease(leases, org, 5);
    assert.ok(leases.grant(org, 'broken_1', 5, facts()));
    const carveFn = 'gw_credit_lease_carve(text, double precision, text[], bigint[], uuid[], uuid[], text[], text[], text[], text[], boolean[], integer[], timestamptz[])';
    await ds.query(`ALTER FUNCTION ${carveFn} RENAME TO gw_credit_lease_carve_away`);
    try {
      await Promise.all([leases.carve(0), leases.carve(0), leases.carve(0)]); // the timer and the checkpoint hook at once
    } finally {
      await ds.query(`ALTER FUNCTION ${carveFn.replace('gw_credit_lease_carve', 'gw_credit_lease_carve_away')} RENAME TO gw_credit_lease_carve`);
    }
    assert.deepEqual(errors, ['credit lease carve']);
    assert.equal((await ds.query(`SELECT 1 FROM credit_reservation WHERE request_id = 'broken_1'`)).length, 0);
    await leases.carve(0);
    assert.equal((await ds.query(`SELECT 1 FROM credit_reservation WHERE request_id = 'broken_1'`)).length, 1, 'carved once the function is back');
  });

  it('a carve skips a call whose settlement landed first: the lease keeps its hold, less the charge, once', async () => {
    const org = randomUUID();
    await ledger.grant(org, 10_000, null);
    const { leases } = replica();
    await startLease(leases, org, 5);
    const free = leases.freeCredits(org);
    const g = leases.grant(org, 'raced_1', 5, facts())!;
    await ledger.settleBatch([entry(org, 'raced_1', 2, g.leaseId)]); // the billing landed before the replica's carve ran
    await leases.carve(0);
    assert.equal((await ds.query(`SELECT 1 FROM credit_reservation WHERE request_id = 'raced_1'`)).length, 0, 'no row for a settled call');
    leases.settle('raced_1', 2);
    assert.equal(leases.freeCredits(org), free - 2, 'the carve answered without it: its unused 3 are the lease’s again');
    assert.equal(Number((await leaseRows(org))[0].credits), free - 2, 'the lease and the replica agree');
  });

  it('the meter reports remaining credits that fall call after call while its first lease is being taken', async () => {
    // The first call reserves on its own and starts the lease; the next ones must not read the lease row as held
    // before this replica counts it as its own (the CI flake of stop 31: 99997 > 99226 > 99994).
    const org = randomUUID();
    await ledger.grant(org, 100_000, null);
    const { leases } = replica();
    const billed: UsageEntry[] = [];
    const billing = { record: (e: UsageEntry) => billed.push(e) } as unknown as BillingProducer;
    const meter = new CreditMeter({ pricing: { tokensPerCredit: 500, usdPerToken: 1e-6 }, reservationTtlMs: TTL, defaultMaxTokens: 600, freeTierMaxTokens: 100 }, reservations, billing, leases);
    const payer: Payer = { kind: 'api_key', orgId: org, apiKeyId: null, userId: null, projectId: null };
    const remaining: number[] = [];
    for (let i = 0; i < 6; i++) {
      const requestId = `seq_${i}`;
      const admission = await meter.admit({ requestId, payer, request: { maxTokens: 600 } as CanonicalRequest, inputTokens: 606, model: 'm' });
      if (i === 0) assert.ok(leases.pending(org), 'the first reservation starts a lease take');
      remaining.push(meter.settle(admission, { inputTokens: 606, outputTokens: 400 }, true, Date.now()).remainingCredits);
      await ledger.settleBatch(billed.splice(0));
    }
    assert.deepEqual(remaining, [99_997, 99_994, 99_991, 99_988, 99_985, 99_982], 'three credits a call, from 100,000');
    assert.ok(leases.freeCredits(org) > 0, 'the later calls came from the lease');
    const { balance, reserved, leased } = await ledger.balance(org);
    assert.equal(balance, 100_000 - 18);
    assert.equal(balance - reserved - leased + leases.freeCredits(org), 99_982, 'what the meter reported is what Postgres and the replica hold');
  });

  it('after each idle return, the first call may still go upstream while its take is in flight (a forecast), pause after pause', async () => {
    // Before: only a per-call answer renewed the forecast's evidence, so a leased organisation got one probe after
    // its first reservation and then waited for every take after a pause (S5 at c=1: the stream waited for Postgres).
    const org = randomUUID();
    await ledger.grant(org, 100_000, null);
    // Idle after 500 ms, watched every 10 ms: a lease that lives 0.5 s cannot be taken and given back between two looks
    // (with 100 and 100 a slow box missed it).
    const { leases } = replica(500);
    const billing = { record: () => undefined } as unknown as BillingProducer;
    const meter = new CreditMeter({ pricing: { tokensPerCredit: 500, usdPerToken: 1e-6 }, reservationTtlMs: TTL, defaultMaxTokens: 600, freeTierMaxTokens: 100 }, reservations, billing, leases);
    const payer: Payer = { kind: 'api_key', orgId: org, apiKeyId: null, userId: null, projectId: null };
    const input = (i: number) => ({ requestId: `pause_${i}`, payer, request: { maxTokens: 600 } as CanonicalRequest, inputTokens: 606, model: 'm' });
    const call = async (i: number) => meter.settle(await meter.admit(input(i)), { inputTokens: 606, outputTokens: 400 }, true, Date.now());
    await call(0); // per call: starts the lease
    assert.ok(await until(async () => leases.freeCredits(org) > 0, 5_000, 10), 'a lease is taken');
    for (let i = 1; i <= 2; i++) {
      await call(10 * i); // granted from the lease
      assert.ok(await until(async () => leases.freeCredits(org) === 0 && !leases.pending(org), 5_000, 10), 'the idle lease went back');
      await sleep(2_100); // past the forecast's fresh window: a pause
      assert.ok(meter.forecast(input(10 * i + 1)), `pause ${i}: the first call is forecast`);
      assert.equal(meter.forecast(input(10 * i + 2)), undefined, `pause ${i}: the rest of a burst waits for an answer`);
      await call(10 * i + 1); // waits for the take, then granted from the lease
    }
  });

  it('a take or return sent again with its sequence number is applied once, and answers what it did', async () => {
    const org = randomUUID();
    await ledger.grant(org, 1_000, null);
    const lease = `lease:${randomUUID()}`;
    const boot = randomUUID();
    const take = (seq: number, create: boolean) =>
      ds.query<Array<{ available: string; granted: string; held: string }>>('SELECT * FROM gw_credit_lease_take($1, $2, $3, 100, 10, $4, $5, $6)', [org, lease, boot, TTL, create, seq]);
    const [first] = await take(1, true);
    const [again] = await take(1, true);
    assert.deepEqual([first, again].map((r) => [Number(r.available), Number(r.granted), Number(r.held)]), [
      [1_000, 100, 100],
      [1_000, 100, 100],
    ]);
    const [grown] = await take(2, false);
    assert.deepEqual([Number(grown.available), Number(grown.granted), Number(grown.held)], [900, 100, 200]);
    const give = (seq: number) => ds.query<Array<{ gw_credit_lease_return: string }>>('SELECT gw_credit_lease_return($1, 150, $2)', [lease, seq]);
    assert.equal(Number((await give(3))[0].gw_credit_lease_return), 50);
    assert.equal(Number((await give(3))[0].gw_credit_lease_return), 50, 'the same return again changes nothing');
    assert.equal((await ledger.balance(org)).leased, 50);
  });

  it('a take whose answer was lost is resolved by sending it again, and nothing stays stranded in the lease', async () => {
    const org = randomUUID();
    await ledger.grant(org, 10_000, null);
    const { cutter, errors, leases } = await relayed(60_000);
    await startLease(leases, org, 5);
    const first = leases.freeCredits(org);
    let n = 0;
    const grant = () => leases.grant(org, `lost_${n++}`, 5, facts());
    while (!leases.pending(org)) {
      cutter.cut(); // the top-up this grant starts commits, and its answer never arrives
      assert.ok(grant(), 'granted from the lease');
    }
    await leases.pending(org);
    assert.deepEqual(errors, ['credit lease (outcome unknown)']);
    const held = Number((await leaseRows(org))[0].credits);
    assert.ok(held > first, `the take committed (${held} held, ${first} before)`);
    const free = leases.freeCredits(org);
    assert.equal(free, first - 5 * n, 'the replica did not count what it could not confirm');
    await new Promise((resolve) => setTimeout(resolve, 1_050)); // RETRY_MS
    grant();
    await leases.pending(org);
    assert.equal(errors.length, 1);
    assert.equal(leases.freeCredits(org), held - 5 * n, 'sent again: the take answered what it granted, once');
    assert.equal(Number((await leaseRows(org))[0].credits), held, 'and the row did not grow twice');
    for (let i = 0; i < n; i++) leases.settle(`lost_${i}`, 0);
    await leases.close();
    assert.equal(Number((await leaseRows(org))[0].credits), 0, 'every credit went back');
  });

  it('a return whose answer was lost is sent again with its number: the credits go back once, none stay in doubt', async () => {
    const org = randomUUID();
    await ledger.grant(org, 10_000, null);
    const { cutter, errors, leases } = await relayed(200);
    const held = async () => Number((await leaseRows(org))[0].credits);
    await startLease(leases, org, 5);
    assert.ok(leases.grant(org, 'kept_1', 5, facts()), 'a call in flight keeps 5 credits in the lease');
    cutter.cut(); // the idle return of the rest commits, and its answer never arrives
    assert.ok(await until(async () => errors.length > 0, 3_000), 'the idle return was sent');
    assert.deepEqual(errors, ['credit lease return (outcome unknown)']);
    assert.equal(await held(), 5, 'the return committed');
    assert.equal(leases.freeCredits(org), 0, 'the replica assumed it did, and grants none of them');
    await new Promise((resolve) => setTimeout(resolve, 1_300)); // RETRY_MS, then the idle timer sends it again
    await leases.pending(org);
    assert.equal(errors.length, 1, 'the second try was answered');
    assert.equal(await held(), 5, 'and gave nothing back twice');
    await startLease(leases, org, 5); // resolved: the next top-up is a take again
    leases.settle('kept_1', 2);
    await leases.close();
    const { balance, leased } = await ledger.balance(org);
    assert.deepEqual([balance, leased], [10_000, 2], 'only the call’s charge (2 of its 5) stays leased, until its billing lands');
  });

  it('a return lost before it reached Postgres is applied when sent again: before, its credits stayed held until the boot ended', async () => {
    const org = randomUUID();
    await ledger.grant(org, 10_000, null);
    const { cutter, errors, leases } = await relayed(200);
    await startLease(leases, org, 5);
    const before = Number((await leaseRows(org))[0].credits);
    cutter.cutRequest(); // the idle return never reaches Postgres; the replica cannot tell
    assert.ok(await until(async () => errors.length > 0, 3_000), 'the idle return was sent');
    assert.deepEqual(errors, ['credit lease return (outcome unknown)']);
    assert.equal(Number((await leaseRows(org))[0].credits), before, 'nothing was given back yet');
    assert.ok(await until(async () => Number((await leaseRows(org))[0].credits) === 0, 3_000), 'sent again after RETRY_MS: given back');
    assert.equal(errors.length, 1);
    assert.equal((await ledger.balance(org)).leased, 0, 'nothing stranded');
  });

  it('two replicas and per-call reservations together never hold more than the balance; everything returns to it', async () => {
    const org = randomUUID();
    await ledger.grant(org, 2_000, null);
    const a = replica();
    const b = replica();
    await startLease(a.leases, org, 3);
    await startLease(b.leases, org, 3);
    const entries: UsageEntry[] = [];
    let granted = 0;
    for (let i = 0; i < 400; i++) {
      const r = i % 2 ? a : b;
      const id = `mix_${i}`;
      const g = r.leases.grant(org, id, 3, facts());
      if (g) {
        granted += 3;
        r.leases.settle(id, 2);
        entries.push(entry(org, id, 2, g.leaseId));
      } else {
        const res = await reservations.reserve(org, id, 3, TTL);
        if (res.granted) r.leases.observe(org, res.availableBefore - res.granted, 3);
        entries.push(entry(org, id, Math.min(2, res.granted)));
      }
      const { balance, reserved, leased } = await ledger.balance(org);
      assert.ok(reserved + leased <= balance, `held ${reserved} + ${leased} of ${balance}`);
      if (i % 50 === 49) await ledger.settleBatch(entries.splice(0));
    }
    assert.ok(granted > 300, `most calls came from leases (${granted} credits)`);
    await ledger.settleBatch(entries.splice(0));
    await a.leases.close();
    await b.leases.close();
    const seeds = await ds.query<Array<{ request_id: string }>>(`SELECT request_id FROM credit_reservation WHERE org_id = $1 AND NOT lease`, [org]);
    await ledger.settleBatch(seeds.map((s) => entry(org, s.request_id, 0)));
    const { balance, reserved, leased } = await ledger.balance(org);
    assert.deepEqual([reserved, leased], [0, 0], 'closed replicas gave back what they did not grant');
    assert.equal(balance, await ledger.ledgerSum(org));
    assert.equal(balance, 2_000 - 2 * 400 + 2 * 0);
  });

  it('takes no lease near the bottom of a balance: every call reserves exactly', async () => {
    const org = randomUUID();
    await ledger.grant(org, 40, null);
    const { leases } = replica();
    const r = await reservations.reserve(org, 'low_1', 5, TTL);
    leases.observe(org, r.availableBefore - r.granted, 5); // 35 left: a quarter is under 4 calls' worth
    await new Promise((res) => setTimeout(res, 50));
    assert.equal(leases.freeCredits(org), 0);
    assert.equal((await leaseRows(org)).length, 0);
    assert.equal(leases.grant(org, 'low_2', 5, facts()), undefined);
  });

  it('gives back an idle lease, and a dead boot’s lease is released unless its settlements are queued', async () => {
    const org = randomUUID();
    await ledger.grant(org, 10_000, null);
    const { leases } = replica(100);
    const r = await reservations.reserve(org, `seed_${randomUUID()}`, 5, TTL);
    leases.observe(org, r.availableBefore - r.granted, 5);
    assert.ok(await until(async () => (await leaseRows(org)).length === 1, 3_000), 'a lease is taken');
    assert.ok(await until(async () => Number((await leaseRows(org))[0].credits) === 0, 3_000), 'the idle lease is given back');
    assert.equal(leases.freeCredits(org), 0);
    const dead = randomUUID();
    await ds.query(`INSERT INTO credit_reservation (request_id, org_id, credits, expires_at, boot_id, lease) VALUES ($1, $2, 40, now() + interval '1 hour', $3, true)`, [
      `lease:${randomUUID()}`,
      org,
      dead,
    ]);
    const release = (busy: string[]) => ds.query(RELEASE_DEAD_LEASES_SQL, [busy, randomUUID(), true, 1_000]);
    await release([dead]);
    assert.equal((await ds.query(`SELECT 1 FROM credit_reservation WHERE boot_id = $1`, [dead])).length, 1, 'kept while its batches are queued');
    await release([]);
    assert.equal((await ds.query(`SELECT 1 FROM credit_reservation WHERE boot_id = $1`, [dead])).length, 0);
  });
});
