import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { bootstrapCli, type Bootstrapped } from '../support/bootstrap';
import { balanced, describeBooks, errorLines, failureWindow, loadUntil, readBooks, servedRows, statusTally, waitForBooks, type Outcome } from '../support/fault-load';
import { killUpstreamMidStream } from '../support/fault-streams';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { freePort, query, until } from '../support/metering-e2e';
import { privatePostgres, privateRedis, type PrivatePostgres, type PrivateRedis } from '../support/private-services';

/**
 * Issue 8, Verify: faults with counts in the production topology (one control process, two inference
 * replicas, DATABASE_URL + REDIS_URL), on a private Postgres and Redis this test may stop. Each fault
 * runs under load with its own organisation, then checks: served = audit rows = ledger rows, every 503
 * audited, balance = ledger sum, no credits left reserved.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const OUTAGE_MS = 5_000;
const SETTLE_MS = 60_000;
const CONCURRENCY = 4;

describe('faults under load, production topology', () => {
  let pg: PrivatePostgres;
  let redis: PrivateRedis;
  let fake: FakeUpstream;
  let doomed: FakeUpstream;
  let dbUrl: string;
  let env: Record<string, string>;
  let control: GatewayProcess;
  const replicas: GatewayProcess[] = [];
  const stopped: GatewayProcess[] = [];
  const urls = () => replicas.map((r) => r.info.inferenceUrl!);
  const org = (name: string): Promise<Bootstrapped> =>
    bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', name, '--email', `${name}@faults.test`, '--credits', '100000']);

  before(async () => {
    pg = await privatePostgres(await freePort());
    await pg.start();
    dbUrl = await pg.createDatabase('gw_faults_prod_test');
    redis = privateRedis(await freePort());
    await redis.start();
    fake = await startFakeUpstream();
    doomed = await startFakeUpstream({ slowChunks: 400, chunkIntervalMs: 50 });
    const provider = (id: string, f: FakeUpstream) => ({ id, kind: 'openai-compatible', base_url: `${f.url}/v1`, timeout_ms: 10_000 });
    const catalog = {
      providers: [provider('fake', fake), provider('doomed', doomed)],
      models: [
        { id: 'fake-model', provider: 'fake', upstream_model: 'fake-model' },
        { id: 'doomed-slow', provider: 'doomed', upstream_model: 'slow-stream' },
      ],
    };
    env = { DATABASE_URL: dbUrl, REDIS_URL: redis.url, CATALOG_JSON: JSON.stringify(catalog), RATE_LIMIT_KEY: '1000000' };
    control = await startGateway({ ...env, GATEWAY_ROLE: 'control' });
    for (let i = 0; i < 2; i++) replicas.push(await startGateway({ ...env, GATEWAY_ROLE: 'inference' }));
  });

  after(async () => {
    for (const gw of [...replicas, control, ...stopped]) await gw?.stop().catch(() => undefined);
    await redis?.destroy();
    await pg?.destroy();
    await fake?.close();
    await doomed?.close();
  });

  /** Runs load over both replicas while `fault` runs; returns every outcome. */
  async function underLoad(key: string, fault: () => Promise<void>): Promise<Outcome[]> {
    let done = false;
    const load = loadUntil(urls(), key, 'fake-model', CONCURRENCY, () => done);
    await sleep(1_000);
    try {
      await fault();
      await sleep(1_000);
    } finally {
      done = true;
    }
    const outcomes = await load;
    for (const gw of [control, ...replicas]) {
      const exit = gw.child.exitCode ?? gw.child.signalCode;
      assert.equal(exit, null, `every gateway process survives the fault (${JSON.stringify(statusTally(outcomes))}):\n${gw.output().slice(-4000)}`);
    }
    return outcomes;
  }

  it('upstream killed with 20 streams open: an in-stream error each, one error audit row and one ledger row each', async (t) => {
    const o = await org('upstream-kill');
    const r = await killUpstreamMidStream(urls()[0], o.api_key.key, dbUrl, 'doomed-slow', 20, () => doomed.close());
    t.diagnostic(`upstream killed mid-stream (production): ${JSON.stringify(r)}`);
    assert.equal(r.properErrors, 20, 'every client gets its surface’s in-stream error');
    assert.equal(r.chargeTold, 20, 'the error frame carries the charge');
    assert.deepEqual([r.audit, r.auditError, r.ledger, r.ledgerMatchesGenerated], [20, 20, 20, 20], JSON.stringify(r.mismatches));
    const books = await readBooks(dbUrl, o.organization.id, []);
    assert.deepEqual([books.reserved, books.balance], [0, books.ledgerSum]);
  });

  it('SIGKILL of the control process: inference keeps serving, the restarted control drains the queues', async (t) => {
    const o = await org('control-kill');
    let killedAt = 0;
    let restartedAt = 0;
    const outcomes = await underLoad(o.api_key.key, async () => {
      control.child.kill('SIGKILL');
      await new Promise((r) => control.child.once('exit', r));
      killedAt = Date.now();
      stopped.push(control);
      await sleep(2_000);
      control = await startGateway({ ...env, GATEWAY_ROLE: 'control' });
      restartedAt = Date.now();
    });
    const { books, ok, at } = await waitForBooks(dbUrl, o.organization.id, outcomes, SETTLE_MS);
    t.diagnostic(describeBooks('control SIGKILL (production)', outcomes, books, at - restartedAt));
    t.diagnostic(`control down ${restartedAt - killedAt} ms (2 s + its restart); served while down: ${outcomes.filter((c) => c.startedAt > killedAt && c.endedAt < restartedAt).length}`);
    assert.deepEqual(statusTally(outcomes), { 200: outcomes.length }, 'every call is served');
    assert.ok(outcomes.some((c) => c.startedAt > killedAt && c.endedAt < restartedAt), 'calls were served while control was down');
    assert.ok(ok, `books balance after the restart: ${JSON.stringify(books)}`);
  });

  it('Redis frozen for 5 s (SIGSTOP): calls are served (limiter open), producers wait, nothing is lost', async (t) => {
    const o = await org('redis-pause');
    let resumedAt = 0;
    const outcomes = await underLoad(o.api_key.key, async () => {
      redis.pause();
      await sleep(OUTAGE_MS);
      redis.resume();
      resumedAt = Date.now();
    });
    const { books, ok, at } = await waitForBooks(dbUrl, o.organization.id, outcomes, SETTLE_MS);
    t.diagnostic(describeBooks('Redis paused 5 s (production)', outcomes, books, at - resumedAt));
    assert.deepEqual(statusTally(outcomes), { 200: outcomes.length }, JSON.stringify(outcomes.filter((c) => c.status !== 200).slice(0, 5)));
    assert.ok(outcomes.some((c) => c.startedAt > resumedAt - OUTAGE_MS && c.endedAt < resumedAt), 'calls were served while Redis was frozen');
    assert.ok(ok, `books balance after Redis resumed: ${JSON.stringify(books)}`);
  });

  it('Redis killed and restarted empty after 5 s: what was produced after the kill is never lost', async (t) => {
    const o = await org('redis-kill');
    let killedAt = 0;
    let upAt = 0;
    const outcomes = await underLoad(o.api_key.key, async () => {
      await redis.kill();
      killedAt = Date.now();
      await sleep(OUTAGE_MS);
      await redis.start();
      upAt = Date.now();
    });
    assert.deepEqual(statusTally(outcomes), { 200: outcomes.length }, JSON.stringify(outcomes.filter((c) => c.status !== 200).slice(0, 5)));
    // Calls that started after the kill were recorded after it: they must all land.
    const late = outcomes.filter((c) => c.startedAt > killedAt);
    let lateRows = await servedRows(dbUrl, late);
    const lateOk = await until(async () => ((lateRows = await servedRows(dbUrl, late)), lateRows.audit === lateRows.served && lateRows.ledger === lateRows.served), SETTLE_MS);
    const at = Date.now();
    const served = outcomes.filter((c) => c.status === 200).map((c) => c.requestId!);
    const has = async (sql: string) => new Set((await query<{ id: string }>(dbUrl, sql, [served])).map((r) => r.id));
    const audited = await has('SELECT request_id AS id FROM audit_event WHERE request_id = ANY($1)');
    const billed = await has('SELECT entry_id AS id FROM credit_ledger WHERE entry_id = ANY($1)');
    const lost = outcomes.filter((c) => c.status === 200 && (!audited.has(c.requestId!) || !billed.has(c.requestId!)));
    const unbilled = served.filter((id) => !billed.has(id));
    const [{ n: heldOthers }] = await query<{ n: string }>(dbUrl, 'SELECT count(*) AS n FROM credit_reservation WHERE org_id = $1 AND NOT lease AND NOT (request_id = ANY($2))', [o.organization.id, unbilled]);
    const books = await readBooks(dbUrl, o.organization.id, outcomes);
    t.diagnostic(describeBooks('Redis killed + restarted empty (production)', outcomes, books, at - upAt));
    t.diagnostic(`Redis kill: lost with Redis's data: ${lost.length} (no audit ${served.length - audited.size}, no ledger ${unbilled.length}); all started before the kill: ${lost.every((c) => c.startedAt <= killedAt)}; reservations left for them: ${books.reserved} credits`);
    assert.ok(lateOk, `every call started after the kill is audited and billed: ${JSON.stringify(lateRows)}`);
    assert.ok(lost.every((c) => c.startedAt <= killedAt), 'only jobs already in Redis when it died can be lost');
    assert.equal(Number(heldOthers), 0, 'the only credits still held are those of calls whose billing job died with Redis');
    assert.equal(books.balance, books.ledgerSum);
  });

  it('Redis with an append-only file (appendfsync always) killed and restarted after 5 s: nothing is lost', async (t) => {
    await redis.kill(); // every earlier call has settled: switch this Redis to an append-only file
    await redis.start({ appendfsync: 'always' });
    const o = await org('redis-kill-aof');
    let upAt = 0;
    const outcomes = await underLoad(o.api_key.key, async () => {
      await redis.kill();
      await sleep(OUTAGE_MS);
      await redis.start({ appendfsync: 'always' });
      upAt = Date.now();
    });
    const { books, ok, at } = await waitForBooks(dbUrl, o.organization.id, outcomes, SETTLE_MS);
    t.diagnostic(describeBooks('Redis with AOF killed + restarted (production)', outcomes, books, at - upAt));
    assert.deepEqual(statusTally(outcomes), { 200: outcomes.length }, JSON.stringify(outcomes.filter((c) => c.status !== 200).slice(0, 5)));
    assert.ok(ok, `books balance after Redis replayed its AOF: ${JSON.stringify(books)}`);
  });

  it('Postgres restarted (crash stop, 5 s down): admission fails closed with 503, writers retry, nothing is lost', async (t) => {
    const o = await org('pg-restart');
    let upAt = 0;
    let downAt = 0;
    const outcomes = await underLoad(o.api_key.key, async () => {
      downAt = Date.now();
      await pg.stop('immediate');
      await sleep(OUTAGE_MS);
      await pg.start();
      upAt = Date.now();
    });
    const { books, ok, at } = await waitForBooks(dbUrl, o.organization.id, outcomes, SETTLE_MS);
    t.diagnostic(describeBooks('Postgres restarted (production)', outcomes, books, at - upAt));
    t.diagnostic(`Postgres restarted (production): ${failureWindow(outcomes, downAt, upAt)}`);
    assert.ok(ok && balanced(books), `books balance after Postgres returned: ${JSON.stringify(books)}`);
    const others = outcomes.filter((c) => c.status !== 200 && c.status !== 503);
    const logs = replicas.flatMap((r) => errorLines(r.output()));
    assert.deepEqual(others.slice(0, 3), [], `only 200 and 503 while Postgres is down: ${JSON.stringify(statusTally(outcomes))}\n${logs.join('\n')}`);
    assert.ok(books.refused > 0, 'calls admitted while Postgres was down are refused (credits fail closed)');
  });
});
