import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { bootstrapCli, type Bootstrapped } from '../support/bootstrap';
import { freshDatabase } from '../support/databases';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { balanceAndLedgerSum, chat, controlAs, freePort, http, ownRedis, query, reservedCredits, until, type OwnRedis } from '../support/metering-e2e';

const OUTAGE_CALLS = 6;

/**
 * Issue #3, Verify 6: with Redis gone mid-run the gateway keeps serving (the limiter fails open) and,
 * once Redis is back, every call still gets exactly one ledger row and one audit row.
 * Runs on a private redis-server so the machine's shared Redis is never touched.
 */
describe('Redis outage mid-run (e2e)', () => {
  let fake: FakeUpstream;
  let redis: OwnRedis;
  let gw: GatewayProcess;
  let dbUrl: string;
  let boot: Bootstrapped;
  let key: string;
  let projectKey: string;
  const ids: string[] = [];

  const counts = async () => {
    const [ledger] = await query<{ n: string }>(dbUrl, 'SELECT count(*) AS n FROM credit_ledger WHERE entry_id = ANY($1)', [ids]);
    const [audit] = await query<{ n: string }>(dbUrl, 'SELECT count(*) AS n FROM audit_event WHERE request_id = ANY($1)', [ids]);
    return { ledger: Number(ledger.n), audit: Number(audit.n) };
  };

  const call = async (label: string) => {
    const t0 = performance.now();
    const res = await chat(gw.info.inferenceUrl!, key);
    assert.equal(res.status, 200, `${label}: ${JSON.stringify(res.body)}`);
    assert.ok(performance.now() - t0 < 10_000, `${label} took ${Math.round(performance.now() - t0)} ms`);
    ids.push(res.headers.get('x-request-id')!);
  };

  before(async () => {
    fake = await startFakeUpstream();
    redis = ownRedis(await freePort());
    await redis.start();
    dbUrl = await freshDatabase('gw_e2e_limits_redis_down_test');
    gw = await startGateway({ DATABASE_URL: dbUrl, REDIS_URL: redis.url, UPSTREAM_BASE_URL: `${fake.url}/v1`, UPSTREAM_MODEL: 'fake-model' });
    boot = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'outage', '--email', 'owner@outage.test', '--credits', '1000']);
    // A tight per-key limit shows the limiter is enforced while Redis is up and open while it is down.
    const api = await controlAs(gw.info.controlUrl!, boot.user.email, boot.password);
    key = (await api.createKey('three-per-minute', { rate_limit_per_minute: 3 })).key;
    // Issue 10: a project with a user quota, whose counters live in the same Redis.
    assert.equal((await api.call('POST', '/api/policy-gateway/policies', { policy_id: 'outage', config: { rules: { denylist: ['x-forbidden'] } } })).status, 201);
    const project = await api.call('POST', '/api/policy-gateway/projects', { name: 'Outage', policy_id: 'outage', user_quota: { requests: 100, tokens: 0, window: 'daily' } });
    assert.equal(project.status, 201, JSON.stringify(project.body));
    projectKey = (await api.call('POST', `/api/policy-gateway/projects/${project.body.id}/keys`, { label: 'outage' })).body.key as string;
  });

  after(async () => {
    const code = await gw?.stop();
    await redis?.kill();
    await fake?.close();
    assert.equal(code, 0, `gateway should exit 0 on SIGTERM:\n${gw?.output().slice(-4000)}`);
  });

  it('serves before, during (limiter open) and after the outage and loses no ledger or audit entry', async () => {
    for (let i = 0; i < 3; i++) await call(`before #${i}`);
    assert.equal((await chat(gw.info.inferenceUrl!, key)).status, 429, 'the limiter is enforced while Redis is up');
    // The private Redis keeps nothing on disk: let these settle before it dies.
    assert.ok(await until(async () => (await counts()).ledger === 3 && (await counts()).audit === 3), `settled before the outage: ${JSON.stringify(await counts())}`);

    const quotaCall = () => http(`${gw.info.inferenceUrl}/policy/v1/chat/completions`, { token: projectKey, body: { model: 'abliterated-model', messages: [{ role: 'user', content: 'hi' }], max_tokens: 16 } });
    const counted = await quotaCall();
    assert.equal(counted.status, 200, 'quotas are counted while Redis is up');
    ids.push(counted.headers.get('x-request-id')!);
    assert.ok(await until(async () => (await counts()).ledger === 4 && (await counts()).audit === 4), `settled before the outage: ${JSON.stringify(await counts())}`);

    await redis.kill();
    // Quotas fail closed (nobody can tell whether the call fits), unlike the rate limiter.
    const refused = await quotaCall();
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    assert.equal((refused.body as { error: { code: string } }).error.code, 'quota_unavailable');
    for (let i = 0; i < OUTAGE_CALLS; i++) await call(`outage #${i}`);
    const parallel = await Promise.all(Array.from({ length: 4 }, () => chat(gw.info.inferenceUrl!, key)));
    assert.deepEqual(parallel.map((r) => r.status), [200, 200, 200, 200]);
    ids.push(...parallel.map((r) => r.headers.get('x-request-id')!));

    await redis.start();
    const total = 3 + 1 + OUTAGE_CALLS + 4;
    assert.equal(new Set(ids).size, total);
    const settled = await until(async () => {
      const c = await counts();
      return c.ledger >= total && c.audit >= total;
    }, 60_000);
    assert.ok(settled, `every call reaches the ledger and the audit table after Redis returns: ${JSON.stringify(await counts())} of ${total}`);

    const perId = await query<{ entry_id: string; n: string }>(dbUrl, 'SELECT entry_id, count(*) AS n FROM credit_ledger WHERE entry_id = ANY($1) GROUP BY entry_id', [ids]);
    assert.equal(perId.length, total);
    assert.ok(perId.every((r) => r.n === '1'));
    const audits = await query<{ request_id: string; status: string }>(dbUrl, 'SELECT request_id, status FROM audit_event WHERE request_id = ANY($1)', [ids]);
    assert.equal(audits.length, total);
    assert.ok(audits.every((r) => r.status === 'ok'), JSON.stringify(audits));

    const orgId = boot.organization.id;
    assert.ok(await until(async () => (await reservedCredits(dbUrl, orgId)) === 0), 'no credits stay reserved');
    const { balance, ledgerSum } = await balanceAndLedgerSum(dbUrl, orgId);
    assert.equal(balance, ledgerSum, 'balance = ledger sum');
    assert.equal(balance, 1000 - total, 'each small call costs one credit');
  });
});
