import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@gw/database';
import { billingBatchJobId, CreditReservations, LedgerRepository, OrphanSweeper, ReplicaLease, type OrphanSweeperOptions, type ReservationFacts } from '@gw/metering';
import { drainAuditInbox } from '../../libs/audit/src/testing';
import { createTestDatabase, type TestDatabase } from '../../libs/database/src/testing';

const PRICING = { tokensPerCredit: 500, usdPerToken: 0.000005 };
const facts = (inputTokens: number): ReservationFacts => ({
  apiKeyId: null,
  userId: null,
  model: 'fake-model',
  provider: 'fake',
  upstreamModel: 'up',
  surface: 'chat.completions',
  stream: true,
  inputTokens,
  startedAtMs: Date.now(),
});

/**
 * Billing queue stand-in: the request ids in `pending` have a settlement job of their own waiting (one entry per job:
 * earlier releases, dead-letter replays); the boots in `batches` have a batch job of entries waiting.
 */
const queueWith = (pending: Set<string>, batches: string[] = []) =>
  ({
    getJob: async (jobId: string) => (pending.has(jobId.replace(/\.billing$/, '')) ? { finishedOn: undefined } : undefined),
    getRanges: async () => batches.map((boot, i) => billingBatchJobId(boot, i + 1)),
  }) as unknown as Queue;

describe('orphan recovery: calls of a dead gateway process are settled and audited exactly once', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let ledger: LedgerRepository;
  const leases: ReplicaLease[] = [];
  const pools: CreditReservations[] = [];

  before(async () => {
    db = await createTestDatabase({ name: `gw_crash_test_orphans_${Date.now().toString(36)}` });
    ds = await createDataSource(db.url, 5).initialize();
    ledger = new LedgerRepository(ds);
  });

  after(async () => {
    for (const p of pools) await p.close();
    for (const l of leases) await l.stop();
    await ds?.destroy();
    await db?.drop();
  });

  /** A replica whose heartbeat is refreshed every `heartbeatMs` (the default: never during the test, so it can be made stale). */
  async function replica(heartbeatMs = 60_000): Promise<{ lease: ReplicaLease; credits: CreditReservations }> {
    const lease = new ReplicaLease(db.url, { role: 'inference', heartbeatMs, checkpointMs: 60_000 });
    await lease.start();
    const credits = new CreditReservations(db.url, 4, lease);
    leases.push(lease);
    pools.push(credits);
    return { lease, credits };
  }

  const sweeper = (queue: Queue, extra: Partial<OrphanSweeperOptions> = {}) =>
    new OrphanSweeper(ds, queue, { lease: { bootId: randomUUID(), healthyFor: () => true }, othersDead: false, staleMs: 5_000, everyMs: 60_000, pricing: PRICING, batchSize: 7, ...extra });

  it('two racing sweepers: charges what was streamed (capped at the hold), audits every call, frees every hold, once', async () => {
    const org = randomUUID();
    await ledger.grant(org, 1_000, null);
    const dead = await replica();
    const live = await replica(500);
    const ids = Array.from({ length: 30 }, (_, i) => `req_dead_${i}`);
    for (const id of ids) assert.equal((await dead.credits.reserve(org, id, id.endsWith('_29') ? 1 : 5, 60_000, facts(40))).granted >= 1, true);
    // 0..24 reached the upstream and streamed 10×i tokens (29: 2,000 tokens against a 1-credit hold); 25..28 never reached it.
    ids.forEach((id, i) => i < 25 && dead.credits.watch(id, () => ({ inputTokens: 40, outputTokens: 10 * i })));
    dead.credits.watch(ids[29], () => ({ inputTokens: 40, outputTokens: 2_000 }));
    await dead.lease.checkpoint();
    await live.credits.reserve(org, 'req_live', 5, 60_000, facts(40));
    await ds.query(`UPDATE gateway_replica SET heartbeat_at = now() - interval '1 minute' WHERE boot_id = $1`, [dead.lease.bootId]);

    const queue = queueWith(new Set());
    const [a, b] = await Promise.all([sweeper(queue).sweep(), sweeper(queue).sweep()]);
    assert.equal(a.settled + b.settled, 30, JSON.stringify({ a, b }));
    assert.equal(a.audited + b.audited, 30);

    const rows = await ds.query<Array<{ entry_id: string; credits: string; output_tokens: number }>>(
      `SELECT entry_id, credits, output_tokens FROM credit_ledger WHERE kind = 'usage' AND org_id = $1 ORDER BY entry_id`,
      [org],
    );
    assert.equal(rows.length, 26, 'every call that reached the upstream has one ledger row; the 4 that did not are free');
    const byId = new Map(rows.map((r) => [r.entry_id, r]));
    assert.equal(Number(byId.get('req_dead_24')!.credits), -1, '40 + 240 tokens = 1 credit');
    assert.equal(byId.get('req_dead_24')!.output_tokens, 240);
    assert.equal(Number(byId.get('req_dead_29')!.credits), -1, 'never more than the hold');
    assert.equal(await drainAuditInbox(ds), 30, 'the sweeps put one record per call in the audit inbox');
    const audit = await ds.query<Array<{ status: string; http_status: number; output_tokens: number; error_code: string; org_id: string; principal_kind: string }>>(
      `SELECT status, http_status, output_tokens, error_code, org_id, principal_kind FROM audit_event WHERE request_id = ANY($1)`,
      [ids],
    );
    assert.equal(audit.length, 30);
    assert.ok(audit.every((r) => r.status === 'gateway_lost' && r.http_status === 0 && r.error_code === 'gateway_lost'));
    assert.ok(audit.every((r) => r.org_id === org && r.principal_kind === 'free_tier'), 'chained in the organisation of the reservation');
    assert.equal(await drainAuditInbox(ds), 0, 'the inbox is empty once drained');
    const left = await ds.query<Array<{ request_id: string }>>(`SELECT request_id FROM credit_reservation WHERE org_id = $1`, [org]);
    assert.deepEqual(left.map((r) => r.request_id), ['req_live'], "a live replica's call is not touched");
    const balance = await ledger.balance(org);
    assert.equal(balance.balance, await ledger.ledgerSum(org));
    assert.equal(balance.balance, 1_000 - 26);

    // A normal settlement arriving late (the replica's queued job) changes nothing.
    await ledger.settleBatch([
      { v: 1, requestId: 'req_dead_3', orgId: org, apiKeyId: null, userId: null, model: 'm', inputTokens: 1, outputTokens: 5_000, credits: 5, costUsd: 1, occurredAt: new Date().toISOString() },
    ]);
    assert.equal((await ledger.balance(org)).balance, 1_000 - 26);
    assert.equal(await ledger.ledgerSum(org), 1_000 - 26);
  });

  it('leaves an orphan whose billing job is still queued to the ledger processor', async () => {
    const org = randomUUID();
    await ledger.grant(org, 100, null);
    const dead = await replica();
    await dead.credits.reserve(org, 'req_queued', 5, 60_000, facts(10));
    await dead.credits.reserve(org, 'req_lost', 5, 60_000, facts(10));
    await ds.query(`DELETE FROM gateway_replica WHERE boot_id = $1`, [dead.lease.bootId]); // no row = dead too
    const result = await sweeper(queueWith(new Set(['req_queued']))).sweep();
    assert.deepEqual([result.settled, result.deferred], [1, 1]);
    const left = await ds.query<Array<{ request_id: string }>>(`SELECT request_id FROM credit_reservation WHERE org_id = $1`, [org]);
    assert.deepEqual(left.map((r) => r.request_id), ['req_queued']);
  });

  it('leaves every orphan of a dead boot to the ledger processor while a batch job of that boot is still queued', async () => {
    const org = randomUUID();
    await ledger.grant(org, 100, null);
    const busy = await replica();
    const idle = await replica();
    await busy.credits.reserve(org, 'req_batched_a', 5, 60_000, facts(10));
    await busy.credits.reserve(org, 'req_batched_b', 5, 60_000, facts(10));
    await idle.credits.reserve(org, 'req_unbatched', 5, 60_000, facts(10));
    await ds.query(`DELETE FROM gateway_replica WHERE boot_id = ANY($1::uuid[])`, [[busy.lease.bootId, idle.lease.bootId]]);
    const held = async () => (await ds.query<Array<{ request_id: string }>>(`SELECT request_id FROM credit_reservation WHERE org_id = $1 ORDER BY 1`, [org])).map((r) => r.request_id);
    assert.equal((await sweeper(queueWith(new Set(), [busy.lease.bootId])).sweep()).deferred, 2);
    assert.deepEqual(await held(), ['req_batched_a', 'req_batched_b']);
    await sweeper(queueWith(new Set())).sweep();
    assert.deepEqual(await held(), [], 'settled once the batch is done');
  });

  it('judges no one while its own process has not reached the database for a whole stale window (after an outage)', async () => {
    const org = randomUUID();
    await ledger.grant(org, 100, null);
    const quiet = await replica();
    await quiet.credits.reserve(org, 'req_outage', 5, 60_000, facts(10));
    await ds.query(`UPDATE gateway_replica SET heartbeat_at = now() - interval '1 minute' WHERE boot_id = $1`, [quiet.lease.bootId]);
    const justRecovered = { bootId: randomUUID(), healthyFor: () => false };
    assert.equal((await sweeper(queueWith(new Set(['req_queued'])), { lease: justRecovered }).sweep()).settled, 0);
    assert.equal((await sweeper(queueWith(new Set(['req_queued']))).sweep()).settled, 1);
  });

  it('embedded mode: every other boot is a predecessor, whatever its heartbeat', async () => {
    const org = randomUUID();
    await ledger.grant(org, 100, null);
    const predecessor = await replica();
    await predecessor.credits.reserve(org, 'req_predecessor', 5, 60_000, facts(10));
    const held = () => ds.query<unknown[]>(`SELECT 1 FROM credit_reservation WHERE request_id = 'req_predecessor'`);
    await sweeper(queueWith(new Set(['req_queued']))).sweep();
    assert.equal((await held()).length, 1, 'a fresh heartbeat means alive (production)');
    await sweeper(queueWith(new Set(['req_queued'])), { othersDead: true }).sweep();
    assert.equal((await held()).length, 0);
    await drainAuditInbox(ds);
    const [row] = await ds.query<Array<{ status: string; input_tokens: number; output_tokens: number }>>(
      `SELECT status, input_tokens, output_tokens FROM audit_event WHERE request_id = 'req_predecessor'`,
    );
    assert.deepEqual(row, { status: 'gateway_lost', input_tokens: 10, output_tokens: 0 }, 'never reached the upstream: audited, not charged');
    assert.equal((await ds.query<unknown[]>(`SELECT 1 FROM credit_ledger WHERE entry_id = 'req_predecessor'`)).length, 0);
  });

  it('releases a dead boot’s credit lease, but not while a batch of that boot is queued; a lease is never settled as a call', async () => {
    const org = randomUUID();
    await ledger.grant(org, 100, null);
    const gone = randomUUID();
    const lease = `lease:${randomUUID()}`;
    await ds.query(`INSERT INTO credit_reservation (request_id, org_id, credits, expires_at, boot_id, lease) VALUES ($1, $2, 40, now() + interval '1 hour', $3, true)`, [lease, org, gone]);
    const held = async () => (await ds.query<unknown[]>(`SELECT 1 FROM credit_reservation WHERE request_id = $1`, [lease])).length;
    const kept = await sweeper(queueWith(new Set(), [gone])).sweep();
    assert.deepEqual([kept.leasesReleased, await held()], [0, 1], 'kept while its batches are queued');
    const released = await sweeper(queueWith(new Set())).sweep();
    assert.deepEqual([released.leasesReleased, await held()], [1, 0]);
    assert.equal((await ds.query<unknown[]>(`SELECT 1 FROM credit_ledger WHERE entry_id = $1`, [lease])).length, 0, 'no ledger row for a lease');
    assert.equal((await ledger.balance(org)).available, 100);
  });
});
