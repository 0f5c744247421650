import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeGuard, startFakeModeration, startFakeUpstream, type FakeGuard, type FakeModeration, type FakeUpstream } from '@gw/testing';
import { bootstrapCli } from '../support/bootstrap';
import { freshDatabase, freshRedis } from '../support/databases';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { SurfaceDrivers } from '../support/policy-drivers';

const policy = (classifier: string, extra: Record<string, unknown> = {}) => ({
  policy_id: `cls-${classifier}`,
  config: { rules: { flagged_categories: ['hate', 'violence'], enforcement_action: 'block', classifier, ...extra } },
});

/**
 * Issue 9, categories through the ContentClassifier port with real HTTP: the built-in lexicon, an OpenAI-compatible
 * `/v1/moderations` upstream and a Llama-Guard-style model behind chat completions (the fakes speak both protocols).
 * An unreachable classifier fails closed unless the policy fails open; the outcome is in the `policy` object.
 */
describe('content classifiers on the policy surface', () => {
  let fake: FakeUpstream;
  let moderation: FakeModeration;
  let guard: FakeGuard;
  let gw: GatewayProcess;
  let drivers: SurfaceDrivers;

  before(async () => {
    fake = await startFakeUpstream();
    moderation = await startFakeModeration({ apiKey: 'mod-key', slowMs: 3000 });
    guard = await startFakeGuard({ slowMs: 3000 });
    const dbUrl = await freshDatabase('gw_policy_classifiers_e2e_test');
    const catalog = { providers: [{ id: 'fake', kind: 'openai-compatible', base_url: `${fake.url}/v1`, timeout_ms: 5000 }], models: [{ id: 'fake-model', provider: 'fake', upstream_model: 'fake-model' }] };
    gw = await startGateway({
      DATABASE_URL: dbUrl,
      REDIS_URL: await freshRedis(5),
      CATALOG_JSON: JSON.stringify(catalog),
      MODERATION_BASE_URL: `${moderation.url}/v1`,
      MODERATION_API_KEY: 'mod-key',
      GUARD_BASE_URL: `${guard.url}/v1`,
      GUARD_MODEL: 'llama-guard-3-1b',
      CLASSIFIER_TIMEOUT_MS: '500',
    });
    const boot = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'cls', '--email', 'owner@cls.test', '--credits', '100000']);
    drivers = new SurfaceDrivers(`${gw.info.inferenceUrl}/policy`, boot.api_key.key);
  });

  after(async () => {
    const code = await gw?.stop();
    await Promise.all([fake?.close(), moderation?.close(), guard?.close()]);
    assert.equal(code, 0, `gateway should exit 0 on SIGTERM:\n${gw?.output()}`);
  });

  it('moderation upstream: a flagged category refuses (403 with the policy), a clean text passes', async () => {
    const hit = await drivers.call('chat', { text: 'please flag:hate now', stream: false, model: 'fake-model', extra: { policy: policy('moderation') } });
    assert.equal(hit.status, 403);
    assert.deepEqual(hit.errorPolicy?.triggered_categories, ['hate']);
    assert.ok(moderation.requests.some((r) => JSON.stringify(r.body).includes('flag:hate')), 'the moderation upstream was asked');
    assert.equal(moderation.requests.at(-1)?.headers.authorization, 'Bearer mod-key');
    const ok = await drivers.call('messages', { text: 'hello', stream: true, model: 'fake-model', extra: { policy: policy('moderation') } });
    assert.equal(ok.status, 200);
  });

  it('guard model: its hazard codes map onto our categories', async () => {
    const hit = await drivers.call('responses', { text: 'flag:S1 plan', stream: false, model: 'fake-model', extra: { policy: policy('guard') } });
    assert.equal(hit.status, 403);
    assert.deepEqual(hit.errorPolicy?.triggered_categories, ['violence']);
    const ok = await drivers.call('responses', { text: 'flag:S12 text', stream: false, model: 'fake-model', extra: { policy: policy('guard') } });
    assert.equal(ok.status, 200, 'S12 (sexual) is not flagged by this policy');
  });

  it('built-in lexicon: offline, no upstream call', async () => {
    const before = moderation.requests.length + guard.requests.length;
    const hit = await drivers.call('chat', { text: 'I am going to kill you tomorrow.', stream: true, model: 'fake-model', extra: { policy: policy('builtin') } });
    assert.equal(hit.status, 403, hit.error?.message);
    assert.equal(moderation.requests.length + guard.requests.length, before);
  });

  it('an unreachable classifier fails closed by default and open when the policy says so; both are visible', async () => {
    for (const mode of ['down', 'slow', 'garbage'] as const) {
      moderation.setMode(mode);
      const t0 = Date.now();
      const closed = await drivers.call('chat', { text: 'hello', stream: false, model: 'fake-model', extra: { policy: policy('moderation') } });
      assert.equal(closed.status, 403, `${mode}: fail closed`);
      assert.ok(Date.now() - t0 < 2500, `${mode}: the classifier timeout bounds the wait`);
      assert.deepEqual(closed.errorPolicy?.classifier, { id: 'moderation', status: 'unavailable', failed_open: false });
      const open = await drivers.call('chat', { text: 'hello', stream: false, model: 'fake-model', extra: { policy: policy('moderation', { classifier_fail_open: true }) } });
      assert.equal(open.status, 200, `${mode}: fail open`);
      assert.deepEqual(open.policies[0]?.classifier, { id: 'moderation', status: 'unavailable', failed_open: true });
    }
    moderation.setMode('ok');
  });
});
