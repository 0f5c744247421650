import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { estimateInputTokens, type CanonicalRequest } from '@gw/inference';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { bootstrapCli } from '../support/bootstrap';
import { freshDatabase, freshRedis } from '../support/databases';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { controlAs, until } from '../support/metering-e2e';
import { say, SurfaceDrivers, type CallOutcome, type SurfaceName } from '../support/policy-drivers';

const MODEL = 'fake-model';
const deny = (id: string) => ({ policy_id: id, config: { rules: { denylist: ['forbidden topic'], enforcement_action: 'block' } } });

/**
 * Issue 10 on the data plane, production topology: one control plane and two inference replicas on one Postgres
 * and one Redis. Project resolution (spec §4.6) with each error in both SDKs' envelopes, per-user and per-project
 * quotas exact across the replicas, and a key revocation or a project disable seen by the other replica at once.
 */
describe('projects, project keys and quotas across two replicas (e2e)', () => {
  let fake: FakeUpstream;
  let control: GatewayProcess;
  let a: GatewayProcess;
  let b: GatewayProcess;
  let api: Awaited<ReturnType<typeof controlAs>>;
  let orgKey: string;
  let strangerApi: Awaited<ReturnType<typeof controlAs>>;
  const keys: Record<string, string> = {};
  let env: Record<string, string>;

  const drivers = (gw: GatewayProcess, key: string) => new SurfaceDrivers(`${gw.info.inferenceUrl}/policy`, key);

  async function project(body: Record<string, unknown>, as = api): Promise<string> {
    const res = await as.call('POST', '/api/policy-gateway/projects', body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id as string;
  }

  async function projectKey(projectId: string, as = api): Promise<{ id: string; key: string }> {
    const res = await as.call('POST', `/api/policy-gateway/projects/${projectId}/keys`, { label: `${projectId} key` });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { id: string; key: string };
  }

  before(async () => {
    fake = await startFakeUpstream();
    const dbUrl = await freshDatabase('gw_policy_projects_e2e_test');
    const catalog = {
      providers: [{ id: 'fake', kind: 'openai-compatible', base_url: `${fake.url}/v1`, timeout_ms: 5000 }],
      models: [
        { id: MODEL, provider: 'fake', upstream_model: MODEL },
        { id: 'fake-slow', provider: 'fake', upstream_model: 'slow-stream' },
      ],
    };
    env = { DATABASE_URL: dbUrl, REDIS_URL: await freshRedis(14), CATALOG_JSON: JSON.stringify(catalog) };
    control = await startGateway({ ...env, GATEWAY_ROLE: 'control' });
    [a, b] = await Promise.all([startGateway({ ...env, GATEWAY_ROLE: 'inference' }), startGateway({ ...env, GATEWAY_ROLE: 'inference' })]);
    const owner = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'projects-a', '--email', 'owner@projects-a.test', '--credits', '1000000']);
    const stranger = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'projects-b', '--email', 'owner@projects-b.test', '--credits', '1000000']);
    orgKey = owner.api_key.key;
    api = await controlAs(control.info.controlUrl!, owner.user.email, owner.password);
    strangerApi = await controlAs(control.info.controlUrl!, stranger.user.email, stranger.password);
    for (const id of ['support-bot', 'other-policy']) assert.equal((await api.call('POST', '/api/policy-gateway/policies', deny(id))).status, 201);
    assert.equal((await strangerApi.call('POST', '/api/policy-gateway/policies', deny('support-bot'))).status, 201);
    await project({ name: 'Support bot', policy_id: 'support-bot', user_quota: { requests: 3, tokens: 0, window: 'daily' } });
    await project({ name: 'Unlinked' });
    await project({ name: 'Switched off', policy_id: 'support-bot', status: 'disabled' });
    await project({ name: 'Other', policy_id: 'support-bot' });
    await project({ name: 'Theirs', policy_id: 'support-bot' }, strangerApi);
    keys.support = (await projectKey('proj_support_bot')).key;
    keys.other = (await projectKey('proj_other')).key;
  });

  after(async () => {
    const codes = await Promise.all([a?.stop(), b?.stop()]);
    const controlCode = await control?.stop();
    await fake?.close();
    assert.deepEqual(codes, [0, 0], `inference replicas exit 0:\n${a?.output()}\n${b?.output()}`);
    assert.equal(controlCode, 0, control?.output());
  });

  const openaiError = (o: CallOutcome) => o.error as InstanceType<typeof OpenAI.APIError>;

  it("a project key's own project and policy apply without any header; the policy object names the project", async () => {
    for (const surface of ['chat', 'messages', 'responses'] as SurfaceName[]) {
      const ok = await drivers(a, keys.support).call(surface, { text: 'hello', stream: surface === 'messages', model: MODEL, headers: { 'x-policy-user': `probe-${surface}` } });
      assert.equal(ok.status, 200, `${surface}: ${ok.error?.message}`);
      assert.deepEqual([ok.policies[0]?.policy_id, ok.policies[0]?.project_id, ok.policies[0]?.decision], ['support-bot', 'proj_support_bot', 'allow']);
      const refused = await drivers(b, keys.support).call(surface, { text: 'about the forbidden topic', stream: false, model: MODEL, headers: { 'x-policy-user': `probe-${surface}` } });
      assert.equal(refused.status, 403, surface);
      assert.equal(refused.errorPolicy?.project_id, 'proj_support_bot');
    }
  });

  it('resolution errors, each in the right envelope of both SDKs', async () => {
    const cases: Array<{ key: string; headers?: Record<string, string>; extra?: Record<string, unknown>; status: number; message: RegExp; why: string }> = [
      { key: keys.support, headers: { 'x-policy-project': 'proj_other' }, status: 403, message: /belongs to project 'proj_support_bot'/, why: 'project key naming another project' },
      { key: orgKey, headers: { 'x-policy-project': 'proj_theirs' }, status: 403, message: /does not exist in this organisation/, why: "another organisation's project" },
      { key: orgKey, headers: { 'x-policy-project': 'proj_switched_off' }, status: 403, message: /disabled/, why: 'disabled project' },
      { key: orgKey, headers: { 'x-policy-project': 'proj_unlinked' }, status: 400, message: /^Project is not linked to a policy/, why: 'project without a policy' },
      { key: keys.support, extra: { policy_id: 'other-policy' }, status: 400, message: /uses policy 'support-bot'/, why: 'policy_id disagreeing with the project' },
      { key: keys.support, extra: { policy: deny('inline') }, status: 400, message: /inline 'policy' cannot replace/, why: 'inline policy over a project policy' },
    ];
    for (const c of cases) {
      for (const surface of ['chat', 'messages'] as SurfaceName[]) {
        const out = await drivers(a, c.key).call(surface, { text: 'hello', stream: false, model: MODEL, headers: c.headers, extra: c.extra });
        assert.equal(out.status, c.status, `${c.why} (${surface}): ${out.error?.message}`);
        const cls = surface === 'chat' ? (c.status === 403 ? OpenAI.PermissionDeniedError : OpenAI.BadRequestError) : c.status === 403 ? Anthropic.PermissionDeniedError : Anthropic.BadRequestError;
        assert.ok(out.error instanceof cls, `${c.why} (${surface}): ${out.error?.constructor.name}`);
        const body = (surface === 'chat' ? { error: openaiError(out).error } : out.error.error) as { error: { message: string; type: string } };
        assert.match(body.error.message, c.message, `${c.why} (${surface})`);
        if (surface === 'messages') assert.equal(body.error.type, c.status === 403 ? 'permission_error' : 'invalid_request_error');
      }
    }
  });

  it('a login token needs X-Policy-Project (or a policy); with it, the project applies', async () => {
    const jwt = new OpenAI({ baseURL: `${a.info.inferenceUrl}/policy/v1`, apiKey: api.token, maxRetries: 0 });
    const missing = await jwt.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    assert.ok(missing instanceof OpenAI.BadRequestError, String(missing));
    assert.equal(missing.param, 'X-Policy-Project');
    const ok = await jwt.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-policy-project': 'proj_other' } });
    assert.equal((ok as unknown as { policy: { project_id: string } }).policy.project_id, 'proj_other');
  });

  it('a per-user quota of 3 requests holds exactly across both replicas under 12 parallel calls; others are unaffected', async () => {
    const calls = Array.from({ length: 12 }, (_, i) =>
      drivers(i % 2 ? a : b, keys.support).call(i % 3 ? 'chat' : 'messages', { text: 'hello', stream: i % 4 === 0, model: MODEL, headers: { 'x-policy-user': 'alice' } }),
    );
    const outs = await Promise.all(calls);
    assert.equal(outs.filter((o) => o.status === 200).length, 3, outs.map((o) => o.status).join());
    const refused = outs.filter((o) => o.status !== 200);
    assert.equal(refused.length, 9);
    for (const r of refused) {
      assert.equal(r.status, 429);
      assert.ok(r.error instanceof OpenAI.RateLimitError || r.error instanceof Anthropic.RateLimitError, r.error?.constructor.name);
      const retryAfter = Number(r.error.headers?.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 86_400, `Retry-After ${retryAfter}`);
      assert.deepEqual([r.errorPolicy?.decision, r.errorPolicy?.reason_code, r.errorPolicy?.enforced], ['refuse', 'USER_QUOTA_EXCEEDED', true]);
      assert.match(r.error.message, /quota of 3 requests/i);
    }
    const bob = await drivers(a, keys.support).call('chat', { text: 'hello', stream: false, model: MODEL, extra: { policy_user: 'bob' } });
    assert.equal(bob.status, 200, bob.error?.message);
  });

  it('a project token budget holds exactly: calls of known usage, in parallel across replicas', async () => {
    // The fake answers exactly the said text: 8 tokens (32 chars), and max_tokens 8 makes the hold the real usage.
    const text = say('x'.repeat(32));
    const probe = await new OpenAI({ baseURL: `${a.info.inferenceUrl}/policy/v1`, apiKey: keys.other, maxRetries: 0 }).chat.completions.create({
      model: MODEL,
      max_tokens: 8,
      messages: [{ role: 'user', content: text }],
    });
    const perCall = probe.usage!.total_tokens;
    // Each call holds the gateway's (generous) input estimate + max_tokens; a budget of 4 holds admits exactly 4 calls
    // however they interleave: the 5th would need 4 × perCall + hold ≤ budget, and hold > perCall.
    const hold = estimateInputTokens({ messages: [{ role: 'user', content: [{ type: 'text', text }] }] } as unknown as CanonicalRequest) + 8;
    assert.ok(hold > perCall && 3 * hold < 4 * perCall, `hold ${hold} vs usage ${perCall}`);
    const budgeted = await project({ name: 'Budgeted', policy_id: 'support-bot', budget: { requests: 0, tokens: hold * 4, window: 'monthly' } });
    const key = (await projectKey(budgeted)).key;
    const outs = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        new OpenAI({ baseURL: `${(i % 2 ? a : b).info.inferenceUrl}/policy/v1`, apiKey: key, maxRetries: 0 }).chat.completions
          .create({ model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: text }] })
          .then(() => 200)
          .catch((e: InstanceType<typeof OpenAI.APIError>) => {
            assert.equal((e.error as { code?: string })?.code ?? e.code, 'project_quota_exceeded');
            assert.equal(((e.error as { policy?: { reason_code?: string } }).policy ?? {}).reason_code, 'PROJECT_QUOTA_EXCEEDED');
            return e.status;
          }),
      ),
    );
    assert.equal(outs.filter((s) => s === 200).length, 4, outs.join());
    // Settlement follows the answer (it is not awaited on the request path): read until the holds are gone.
    type Usage = { scope: string; tokens: { used: number; held: number; limit: number }; requests: { used: number } };
    let budget: Usage | undefined;
    await until(async () => {
      const usage = await api.call('GET', `/api/policy-gateway/projects/${budgeted}/usage`);
      assert.equal(usage.status, 200, JSON.stringify(usage.body));
      budget = (usage.body.data as Usage[]).find((u) => u.scope === 'project');
      return budget?.tokens.held === 0;
    }, 5_000);
    assert.ok(budget);
    assert.deepEqual([budget.tokens.used, budget.tokens.held, budget.tokens.limit, budget.requests.used], [perCall * 4, 0, hold * 4, 4]);
  });

  it('a key revoked, or a project disabled, on the control plane is refused by the other replica at the next request', async () => {
    const k = await projectKey('proj_other');
    for (const gw of [a, b, a, b]) assert.equal((await drivers(gw, k.key).call('chat', { text: 'hi', stream: false, model: MODEL })).status, 200);
    assert.equal((await api.call('POST', `/api/policy-gateway/projects/proj_other/keys/${k.id}/revoke`)).status, 201);
    assert.equal((await drivers(b, k.key).call('chat', { text: 'hi', stream: false, model: MODEL })).status, 401);
    assert.equal((await drivers(a, keys.other).call('messages', { text: 'hi', stream: false, model: MODEL })).status, 200);
    assert.equal((await api.call('PATCH', '/api/policy-gateway/projects/proj_other', { status: 'disabled' })).status, 200);
    for (const gw of [b, a]) {
      const out = await drivers(gw, keys.other).call('messages', { text: 'hi', stream: false, model: MODEL });
      assert.equal(out.status, 403);
      assert.match(out.error!.message, /disabled/);
    }
  });

  it("a replica killed mid-call leaves a quota hold that expires after QUOTA_HOLD_TTL_MS; the call's request stays counted", async () => {
    const doomed = await startGateway({ ...env, GATEWAY_ROLE: 'inference', QUOTA_HOLD_TTL_MS: '10000' });
    const id = await project({ name: 'Crashy', policy_id: 'support-bot', budget: { requests: 0, tokens: 1_000_000, window: 'daily' } });
    const key = (await projectKey(id)).key;
    const client = new OpenAI({ baseURL: `${doomed.info.inferenceUrl}/policy/v1`, apiKey: key, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'fake-slow', stream: true, max_tokens: 2_000, messages: [{ role: 'user', content: 'go on' }] });
    const first = await stream[Symbol.asyncIterator]().next();
    assert.equal(first.done, false);
    type Usage = { scope: string; tokens: { used: number; held: number }; requests: { used: number } };
    const read = async () => ((await api.call('GET', `/api/policy-gateway/projects/${id}/usage`)).body.data as Usage[])[0];
    const during = await read();
    assert.ok(during.tokens.held >= 2_000, `the call holds its upper bound: ${JSON.stringify(during)}`);
    await doomed.stop('SIGKILL');
    stream.controller.abort();
    assert.ok((await read()).tokens.held >= 2_000, 'the hold outlives its replica until it expires');
    let after: Usage | undefined;
    assert.ok(await until(async () => ((after = await read()).tokens.held === 0), 20_000), `hold still there: ${JSON.stringify(after)}`);
    assert.equal(after!.requests.used, 1);
  });
});
