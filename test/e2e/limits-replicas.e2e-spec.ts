import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { bootstrapCli, type Bootstrapped } from '../support/bootstrap';
import { freshDatabase, freshRedis, waitForRows } from '../support/databases';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { chat, controlAs } from '../support/metering-e2e';

/** Issue #3, Verify 5 + 7: one control plane and two inference replicas on one Postgres and one Redis. */
describe('limits across inference replicas (e2e)', () => {
  let fake: FakeUpstream;
  let dbUrl: string;
  let control: GatewayProcess;
  let a: GatewayProcess;
  let b: GatewayProcess;
  let owner: Bootstrapped;

  before(async () => {
    fake = await startFakeUpstream();
    dbUrl = await freshDatabase('gw_e2e_limits_replicas_test');
    const env = { DATABASE_URL: dbUrl, REDIS_URL: await freshRedis(10), UPSTREAM_BASE_URL: `${fake.url}/v1`, UPSTREAM_MODEL: 'fake-model' };
    control = await startGateway({ ...env, GATEWAY_ROLE: 'control' });
    // One at a time: if the second start failed inside Promise.all, the first would never be stopped.
    a = await startGateway({ ...env, GATEWAY_ROLE: 'inference' });
    b = await startGateway({ ...env, GATEWAY_ROLE: 'inference' });
    owner = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'replicas', '--email', 'owner@replicas.test', '--credits', '1000']);
  });

  after(async () => {
    const codes = await Promise.all([a?.stop(), b?.stop()]);
    const controlCode = await control?.stop();
    await fake?.close();
    assert.deepEqual(codes, [0, 0], `inference replicas exit 0:\n${a?.output()}\n${b?.output()}`);
    assert.equal(controlCode, 0, control?.output());
  });

  it('runs two distinct inference processes and a control plane', () => {
    assert.ok(a.info.inferenceUrl && b.info.inferenceUrl && a.info.inferenceUrl !== b.info.inferenceUrl);
    assert.equal(a.info.controlUrl, null);
    assert.ok(control.info.controlUrl);
    assert.notEqual(a.info.pid, b.info.pid);
  });

  it('a key limited to 10/min gets exactly 10 of 20 calls alternating over the two replicas', async () => {
    const api = await controlAs(control.info.controlUrl!, owner.user.email, owner.password);
    const key = await api.createKey('ten-per-minute', { rate_limit_per_minute: 10 });
    const statuses: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await chat((i % 2 === 0 ? a : b).info.inferenceUrl!, key.key);
      statuses.push(res.status);
      if (res.status === 200) ids.push(res.headers.get('x-request-id')!);
      if (res.status === 429) {
        assert.equal(res.body.error.type, 'rate_limit_error', JSON.stringify(res.body));
        assert.match(res.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
      } else {
        assert.equal(res.headers.get('x-ratelimit-limit-requests'), '10');
      }
    }
    assert.equal(statuses.filter((s) => s === 200).length, 10, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 429).length, 10, statuses.join(','));
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(200), 'the budget is shared, so the first ten pass on either replica');
    const rows = await waitForRows<{ entry_id: string }>(dbUrl, 'SELECT entry_id FROM credit_ledger WHERE entry_id = ANY($1)', [ids], ids.length);
    assert.equal(rows.length, ids.length, 'the control plane settles the calls of both replicas, once each');
  });

  it('a key revoked through the control plane is refused by the very next call on the other replica', async () => {
    const api = await controlAs(control.info.controlUrl!, owner.user.email, owner.password);
    const key = await api.createKey('to-revoke');
    // Both replicas have authenticated (and may have cached) the key.
    for (const gw of [a, b, a, b]) assert.equal((await chat(gw.info.inferenceUrl!, key.key)).status, 200);
    const revoked = await api.call('DELETE', `/api/keys/${key.id}`);
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    const next = await chat(b.info.inferenceUrl!, key.key);
    assert.equal(next.status, 401, `revoked key still accepted: ${JSON.stringify(next.body)}`);
    assert.equal(next.body.error.code, 'invalid_api_key');
    assert.equal((await chat(a.info.inferenceUrl!, key.key)).status, 401);
  });

  it('revocation holds on both replicas right after a parallel burst of use', async () => {
    const api = await controlAs(control.info.controlUrl!, owner.user.email, owner.password);
    const key = await api.createKey('burst');
    const burst = await Promise.all(Array.from({ length: 6 }, (_, i) => chat((i % 2 ? b : a).info.inferenceUrl!, key.key)));
    assert.ok(burst.every((r) => r.status === 200), burst.map((r) => r.status).join(','));
    assert.equal((await api.call('DELETE', `/api/keys/${key.id}`)).status, 200);
    const after = await Promise.all([chat(a.info.inferenceUrl!, key.key), chat(b.info.inferenceUrl!, key.key)]);
    assert.deepEqual(after.map((r) => r.status), [401, 401]);
  });
});
