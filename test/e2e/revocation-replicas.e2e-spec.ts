import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { bootstrapCli, type Bootstrapped } from '../support/bootstrap';
import { freshDatabase, freshRedis } from '../support/databases';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { chat, controlAs } from '../support/metering-e2e';

/**
 * Issue 8, reproducer 8 / Verify "revocation through the users API": one control plane and two
 * inference replicas on one Postgres and one Redis. A user is changed through the control plane
 * after both replicas have authenticated (and cached) their key and login token; the very next
 * request on replica B must see the change.
 */
describe('revocation across replicas through the users API (e2e)', () => {
  let fake: FakeUpstream;
  let control: GatewayProcess;
  let a: GatewayProcess;
  let b: GatewayProcess;
  let owner: Bootstrapped;
  let api: Awaited<ReturnType<typeof controlAs>>;

  const urlOf = (gw: GatewayProcess) => gw.info.inferenceUrl!;

  /** A user made through the users API, logged in, with a key, both already used (cached) on A and B. */
  async function warmUser(role: 'admin' | 'member') {
    const email = `${role}-${Math.random().toString(36).slice(2, 10)}@revoke.test`;
    const created = await api.call('POST', '/api/users', { email, role });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const user = await controlAs(control.info.controlUrl!, email, created.body.password);
    const key = await user.createKey('warm');
    for (const gw of [a, b, a, b]) {
      assert.equal((await chat(urlOf(gw), key.key)).status, 200);
      assert.equal((await chat(urlOf(gw), user.token)).status, 200);
    }
    return { id: created.body.id as string, email, password: created.body.password as string, user, key: key.key };
  }

  before(async () => {
    fake = await startFakeUpstream();
    const dbUrl = await freshDatabase('gw_identity_revocation_test');
    const env = { DATABASE_URL: dbUrl, REDIS_URL: await freshRedis(13), UPSTREAM_BASE_URL: `${fake.url}/v1`, UPSTREAM_MODEL: 'fake-model' };
    control = await startGateway({ ...env, GATEWAY_ROLE: 'control' });
    a = await startGateway({ ...env, GATEWAY_ROLE: 'inference' });
    b = await startGateway({ ...env, GATEWAY_ROLE: 'inference' });
    owner = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'revocation', '--email', 'owner@revoke.test', '--credits', '100000']);
    api = await controlAs(control.info.controlUrl!, owner.user.email, owner.password);
  });

  after(async () => {
    const codes = await Promise.all([a?.stop(), b?.stop()]);
    const controlCode = await control?.stop();
    await fake?.close();
    assert.deepEqual(codes, [0, 0], `inference replicas exit 0:\n${a?.output()}\n${b?.output()}`);
    assert.equal(controlCode, 0, control?.output());
  });

  it('disable: the next key call and token call on B are refused, then on A and on the control plane', async () => {
    const u = await warmUser('member');
    assert.equal((await api.call('PATCH', `/api/users/${u.id}`, { disabled: true })).status, 200);
    const [byKey, byToken] = [await chat(urlOf(b), u.key), await chat(urlOf(b), u.user.token)];
    assert.equal(byKey.status, 401, `disabled user's key accepted on B: ${JSON.stringify(byKey.body)}`);
    assert.equal(byToken.status, 401, `disabled user's token accepted on B: ${JSON.stringify(byToken.body)}`);
    assert.equal((await chat(urlOf(a), u.key)).status, 401);
    assert.equal((await chat(urlOf(a), u.user.token)).status, 401);
    assert.equal((await u.user.call('POST', '/api/keys', { label: 'more' })).status, 401, 'no new keys with the old token');
    assert.equal((await api.call('PATCH', `/api/users/${u.id}`, { disabled: false })).status, 200);
    assert.equal((await chat(urlOf(b), u.key)).status, 200, 're-enabled: the key works again');
    assert.equal((await chat(urlOf(b), u.user.token)).status, 401, 're-enabled: tokens issued before the disable stay dead');
  });

  it('delete: the next key call and token call on B are refused', async () => {
    const u = await warmUser('member');
    assert.equal((await api.call('DELETE', `/api/users/${u.id}`)).status, 200);
    assert.equal((await chat(urlOf(b), u.key)).status, 401);
    assert.equal((await chat(urlOf(b), u.user.token)).status, 401);
    assert.equal((await chat(urlOf(a), u.key)).status, 401);
    assert.equal((await u.user.call('POST', '/api/keys', { label: 'ghost' })).status, 401, 'a 401, not a 500 (23503)');
  });

  it("demote: the old token is refused on B and can no longer grant credits; the key acts with the new role", async () => {
    const u = await warmUser('admin');
    assert.equal((await u.user.call('POST', '/api/credits/grants', { credits: 1 })).status, 201, 'an admin grants');
    assert.equal((await api.call('PATCH', `/api/users/${u.id}`, { role: 'member' })).status, 200);
    assert.equal((await chat(urlOf(b), u.user.token)).status, 401);
    const grant = await u.user.call('POST', '/api/credits/grants', { credits: 1 });
    assert.equal(grant.status, 401, `demoted admin's old token granted credits: ${JSON.stringify(grant.body)}`);
    // Members may still run inference: the key stays valid and now carries the member role.
    assert.equal((await chat(urlOf(b), u.key)).status, 200);
    const fresh = await controlAs(control.info.controlUrl!, u.email, u.password);
    assert.equal((await fresh.call('POST', '/api/credits/grants', { credits: 1 })).status, 403, 'a member cannot grant');
  });
});
