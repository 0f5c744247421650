import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { readBootstrap } from '../support/bootstrap';
import { e2eCatalog } from '../support/e2e-modes';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { controlAs } from '../support/metering-e2e';

/**
 * Issue 10 in the embedded default (one process, in-process quota counters): a per-user quota holds exactly under
 * parallel calls through both SDKs and against the real local model, the control plane reads the same counters,
 * and a restart does not hand users a fresh quota (the counters are kept in DATA_DIR).
 */
describe('quotas in the embedded mode (e2e)', () => {
  let fake: FakeUpstream;
  let gw: GatewayProcess;
  let dataDir: string;
  let key: string;
  let env: Record<string, string>;

  const openai = () => new OpenAI({ baseURL: `${gw.info.inferenceUrl}/policy/v1`, apiKey: key, maxRetries: 0 });
  const anthropic = () => new Anthropic({ baseURL: `${gw.info.inferenceUrl}/policy`, apiKey: key, maxRetries: 0 });
  const call = (i: number, user: string, model = 'fake-model') => {
    const headers = { 'x-policy-user': user };
    const p =
      i % 2
        ? openai().chat.completions.create({ model, max_tokens: 8, messages: [{ role: 'user', content: 'hello' }] }, { headers })
        : anthropic().messages.create({ model, max_tokens: 8, messages: [{ role: 'user', content: 'hello' }] }, { headers });
    return p.then(
      () => 200,
      (e: InstanceType<typeof OpenAI.APIError> | InstanceType<typeof Anthropic.APIError>) => {
        assert.ok(e instanceof OpenAI.RateLimitError || e instanceof Anthropic.RateLimitError, String(e));
        return e.status;
      },
    );
  };

  before(async () => {
    fake = await startFakeUpstream();
    env = { CATALOG_JSON: JSON.stringify(e2eCatalog(fake)) };
    gw = await startGateway(env);
    dataDir = gw.dataDir;
    const boot = readBootstrap(dataDir);
    const api = await controlAs(gw.info.controlUrl!, boot.user.email, boot.password);
    const policy = await api.call('POST', '/api/policy-gateway/policies', { policy_id: 'quota-bot', config: { rules: { denylist: ['nope'] } } });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    const project = await api.call('POST', '/api/policy-gateway/projects', { name: 'Quota bot', policy_id: 'quota-bot', user_quota: { requests: 4, tokens: 0, window: 'daily' } });
    assert.equal(project.status, 201, JSON.stringify(project.body));
    const created = await api.call('POST', `/api/policy-gateway/projects/${project.body.id}/keys`, { label: 'embedded' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    key = created.body.key as string;
  });

  after(async () => {
    const code = await gw?.stop();
    await fake?.close();
    assert.equal(code, 0, gw?.output());
  });

  it('exactly 4 of 10 parallel calls of one user are served (one on the local GGUF model); the others are 429', async () => {
    const outs = await Promise.all(Array.from({ length: 10 }, (_, i) => call(i, 'alice', i === 0 ? 'abliterated-model' : 'fake-model')));
    assert.equal(outs.filter((s) => s === 200).length, 4, outs.join());
    assert.equal(outs.filter((s) => s === 429).length, 6);
    assert.equal(await call(1, 'bob'), 200, 'another user has their own quota');
  });

  it('after a restart the used quota is still used: the counters are kept in DATA_DIR', async () => {
    assert.equal(await gw.stop(), 0, gw.output());
    assert.ok(existsSync(join(dataDir, 'quota-counters.json')), 'the store wrote its snapshot on shutdown');
    gw = await startGateway({ ...env, DATA_DIR: dataDir });
    assert.equal(await call(1, 'alice'), 429);
    assert.equal(await call(2, 'bob'), 200);
  });
});
