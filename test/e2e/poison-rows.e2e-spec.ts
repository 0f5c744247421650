import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { bootstrapCli } from '../support/bootstrap';
import { freshDatabase, freshRedis } from '../support/databases';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { chat, query, until, type HttpCall } from '../support/metering-e2e';

const BAD_MODEL = 'bad\u0000model';

/**
 * Issue 8, reproducer 5, end to end in production mode (DATABASE_URL + Redis, fake upstream): 200
 * parallel chat calls, 10 of them naming `bad\u0000model`. Before the fix 190 were served and billed
 * but only ~119 audit rows were written: each poisoned audit row failed its whole batch of innocent
 * rows, for all 8 attempts, and each failure logged the INSERT with its values. Now every request has
 * exactly one audit row, the 190 served ones one ledger row each, and no job fails.
 */
describe('poisoned rows: one audit row per request, whatever the others carry (e2e, production mode)', () => {
  let fake: FakeUpstream;
  let gw: GatewayProcess;
  let dbUrl: string;
  let redisUrl: string;
  let key: string;

  before(async () => {
    fake = await startFakeUpstream();
    dbUrl = await freshDatabase('gw_writers_e2e_poison_test');
    redisUrl = await freshRedis(12);
    gw = await startGateway({
      DATABASE_URL: dbUrl,
      REDIS_URL: redisUrl,
      UPSTREAM_BASE_URL: `${fake.url}/v1`,
      UPSTREAM_MODEL: 'fake-model',
      RATE_LIMIT_KEY: '10000', // 200 calls from one key within the window
    });
    key = (await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'poison', '--email', 'owner@poison.test', '--credits', '100000'])).api_key.key;
  });

  after(async () => {
    const code = await gw?.stop();
    await fake?.close();
    assert.equal(code, 0, `gateway should exit 0 on SIGTERM:\n${gw?.output()}`);
  });

  it('200 parallel calls, 10 with a NUL in the model: 190 served, 200 audit rows, 190 ledger rows, no failed job', async (t) => {
    const bad = (i: number) => i % 20 === 7;
    const calls: HttpCall[] = await Promise.all(
      Array.from({ length: 200 }, (_, i) => chat(gw.info.inferenceUrl!, key, bad(i) ? { model: BAD_MODEL } : {})),
    );
    const ids = calls.map((c) => c.headers.get('x-request-id')!);
    assert.equal(new Set(ids).size, 200, 'every response carries its own x-request-id');
    const served = calls.filter((c) => c.status === 200);
    assert.equal(served.length, 190);
    assert.deepEqual(calls.filter((_, i) => bad(i)).map((c) => c.status), Array(10).fill(400), 'the NUL is refused at the edge');
    assert.ok(calls.every((c) => c.status < 500), 'no 5xx');

    const started = Date.now();
    const auditRows = () => query<{ request_id: string; model: string }>(dbUrl, 'SELECT request_id, model FROM audit_event WHERE request_id = ANY($1)', [ids]);
    await until(async () => (await auditRows()).length >= 200, 30_000);
    const audit = await auditRows();
    t.diagnostic(`${audit.length} audit rows ${Date.now() - started} ms after the last response`);
    assert.equal(audit.length, 200, 'exactly one audit row per request');
    assert.equal(new Set(audit.map((r) => r.request_id)).size, 200);
    assert.ok(audit.every((r) => !r.model.includes('\u0000')));

    const servedIds = served.map((c) => c.headers.get('x-request-id')!);
    const ledger = () => query<{ entry_id: string }>(dbUrl, `SELECT entry_id FROM credit_ledger WHERE kind = 'usage' AND entry_id = ANY($1)`, [ids]);
    await until(async () => (await ledger()).length >= 190, 30_000);
    assert.deepEqual((await ledger()).map((r) => r.entry_id).sort(), servedIds.sort(), 'one ledger row per served call');

    for (const name of ['audit', 'billing']) {
      const queue = new Queue(name, { connection: { url: redisUrl }, prefix: 'gw' });
      try {
        assert.equal(await queue.getFailedCount(), 0, `no ${name} job failed permanently`);
      } finally {
        await queue.close();
      }
    }
    const [{ n }] = await query<{ n: number }>(dbUrl, 'SELECT count(*)::int AS n FROM dead_letter');
    assert.equal(n, 0, 'nothing needed dead-lettering: the producers sanitise');
    assert.ok(!gw.output().includes('bad\\u0000model') && !gw.output().includes(BAD_MODEL), 'the poisoned value is in no log line');
  });
});
