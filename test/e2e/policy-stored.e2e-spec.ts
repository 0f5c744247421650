import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { bootstrapCli } from '../support/bootstrap';
import { freshDatabase, freshRedis } from '../support/databases';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { http } from '../support/metering-e2e';
import { SurfaceDrivers } from '../support/policy-drivers';

const doc = (terms: string[], action = 'block') => ({ policy_id: 'support-bot', config: { rules: { denylist: terms, enforcement_action: action } } });

/**
 * Issue 9, stored policies on the data plane: `policy_id` resolves to the latest version (the `policy` object says
 * which), a new version applies from the next request (NOTIFY-invalidated cache), an unknown or other-organisation
 * id is 404 `policy_not_found`, and the control simulator reads the same stored policy (owners, admins, auditors).
 */
describe('stored policies enforced on /policy/* and simulated on the control plane', () => {
  let fake: FakeUpstream;
  let gw: GatewayProcess;
  let drivers: SurfaceDrivers;
  let strangers: SurfaceDrivers;
  let owner: string;
  let control: string;

  before(async () => {
    fake = await startFakeUpstream();
    const dbUrl = await freshDatabase('gw_policy_stored_e2e_test');
    const catalog = { providers: [{ id: 'fake', kind: 'openai-compatible', base_url: `${fake.url}/v1`, timeout_ms: 5000 }], models: [{ id: 'fake-model', provider: 'fake', upstream_model: 'fake-model' }] };
    gw = await startGateway({ DATABASE_URL: dbUrl, REDIS_URL: await freshRedis(7), CATALOG_JSON: JSON.stringify(catalog) });
    control = gw.info.controlUrl!;
    const a = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'stored-a', '--email', 'owner@stored-a.test', '--credits', '100000']);
    const b = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'stored-b', '--email', 'owner@stored-b.test', '--credits', '100000']);
    drivers = new SurfaceDrivers(`${gw.info.inferenceUrl}/policy`, a.api_key.key);
    strangers = new SurfaceDrivers(`${gw.info.inferenceUrl}/policy`, b.api_key.key);
    owner = (await http(`${control}/api/auth/login`, { body: { email: a.user.email, password: a.password } })).body.access_token as string;
    const created = await http(`${control}/api/policy-gateway/policies`, { token: owner, body: doc(['alpha secret']) });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  });

  after(async () => {
    const code = await gw?.stop();
    await fake?.close();
    assert.equal(code, 0, `gateway should exit 0 on SIGTERM:\n${gw?.output()}`);
  });

  it('policy_id (body or X-Policy-Id) resolves to the latest version, and a new version applies from the next request', async () => {
    const v1 = await drivers.call('chat', { text: 'tell me the alpha secret', stream: false, model: 'fake-model', extra: { policy_id: 'support-bot' } });
    assert.equal(v1.status, 403);
    assert.deepEqual([v1.errorPolicy?.policy_id, v1.errorPolicy?.policy_version], ['support-bot', 1]);
    const put = await http(`${control}/api/policy-gateway/policies/support-bot`, { method: 'PUT', token: owner, body: doc(['beta secret'], 'rewrite') });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const v2 = await drivers.call('messages', { text: 'tell me the alpha secret', stream: true, model: 'fake-model', headers: { 'x-policy-id': 'support-bot' } });
    assert.equal(v2.status, 200, v2.error?.message);
    assert.deepEqual([v2.policies[0]?.policy_version, v2.policies[0]?.decision], [2, 'allow']);
    // The term in the instructions (the fake echoes the user text, and an echoed term would be cut from the output).
    const hit = await drivers.call('responses', { text: 'hi', system: 'Mind the beta secret.', stream: false, model: 'fake-model', extra: { policyId: 'support-bot' } });
    assert.deepEqual([hit.policies[0]?.decision, hit.policies[0]?.policy_version], ['rewrite', 2]);
  });

  it("an unknown id, or another organisation's, is 404 policy_not_found in the caller's envelope", async () => {
    for (const [d, id] of [[drivers, 'nope'], [strangers, 'support-bot']] as const) {
      for (const surface of ['chat', 'messages'] as const) {
        const out = await d.call(surface, { text: 'x', stream: false, model: 'fake-model', extra: { policy_id: id } });
        assert.equal(out.status, 404, `${surface} ${id}`);
        assert.match(out.error!.message, /policy/i);
      }
    }
  });

  it('the control simulator reads the stored policy; a member may not simulate', async () => {
    const sim = await http(`${control}/api/policy-gateway/simulate`, { token: owner, body: { policy_id: 'support-bot', messages: [{ role: 'user', content: 'beta  SECRET here' }] } });
    assert.equal(sim.status, 200, JSON.stringify(sim.body));
    assert.deepEqual(sim.body.findings, [{ kind: 'denylist', type: 'beta secret', where: 'input', message_index: 0, start: 0, end: 12 }]);
    assert.equal(sim.body.policy.policy_version, 2);
    const member = await http(`${control}/api/users`, { token: owner, body: { email: 'member@stored-a.test', role: 'member' } });
    const memberToken = (await http(`${control}/api/auth/login`, { body: { email: 'member@stored-a.test', password: member.body.password } })).body.access_token as string;
    const refused = await http(`${control}/api/policy-gateway/simulate`, { token: memberToken, body: { policy_id: 'support-bot', messages: [] } });
    assert.equal(refused.status, 403);
    const unknown = await http(`${control}/api/policy-gateway/simulate`, { token: owner, body: { policy_id: 'nope', messages: [] } });
    assert.equal(unknown.status, 404);
    assert.equal(fake.requests.filter((r) => JSON.stringify(r.body).includes('beta  SECRET')).length, 0, 'simulation calls no model');
  });
});
