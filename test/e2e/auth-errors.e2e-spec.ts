import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { bootstrapCli, type Bootstrapped } from '../support/bootstrap';
import { freshDatabase, freshRedis, waitForRows } from '../support/databases';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { controlAs } from '../support/metering-e2e';

const MESSAGES: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Once upon a time there was a very long story to tell' }];

/** Issue #3, Verify 1 + 8: 401/402/429 and the free tier as the official OpenAI SDK sees them (production mode). */
describe('auth, credits and rate-limit errors through the OpenAI SDK (e2e)', () => {
  let fake: FakeUpstream;
  let gw: GatewayProcess;
  let owner: Bootstrapped;
  let baseURL: string;
  let dbUrl: string;
  const served: string[] = [];
  const refused: string[] = [];

  /** A client that sends no Authorization header at all. */
  const anonymous = (headers: Record<string, string> = {}) =>
    new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0, defaultHeaders: { Authorization: null, 'User-Agent': 'auth-errors-e2e/1', ...headers } });

  /** The OpenAI envelope `{error:{message,type,code}}` as parsed by the SDK. */
  const enveloped = (e: InstanceType<typeof OpenAI.APIError>, code: string): boolean => {
    const body = e.error as { message?: unknown; type?: unknown; code?: unknown };
    return typeof body?.message === 'string' && body.message.length > 0 && typeof body.type === 'string' && body.code === code && e.code === code;
  };

  before(async () => {
    fake = await startFakeUpstream();
    dbUrl = await freshDatabase('gw_e2e_auth_errors_test');
    gw = await startGateway({ DATABASE_URL: dbUrl, REDIS_URL: await freshRedis(8), UPSTREAM_BASE_URL: `${fake.url}/v1`, UPSTREAM_MODEL: 'fake-model', FREE_TIER_MAX_TOKENS: '8' });
    baseURL = `${gw.info.inferenceUrl}/v1`;
    owner = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'paying', '--email', 'owner@paying.test', '--credits', '1000']);
  });

  after(async () => {
    const code = await gw?.stop();
    await fake?.close();
    assert.equal(code, 0, `gateway should exit 0 on SIGTERM:\n${gw?.output()}`);
  });

  it('a request without any key is AuthenticationError missing_api_key', async () => {
    await assert.rejects(anonymous().chat.completions.create({ model: 'abliterated-model', messages: MESSAGES }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.AuthenticationError, String(e));
      assert.equal(e.status, 401);
      assert.ok(enveloped(e, 'missing_api_key'), JSON.stringify(e.error));
      return true;
    });
  });

  it('a well-formed but unknown key is AuthenticationError invalid_api_key', async () => {
    const client = new OpenAI({ baseURL, apiKey: `ak_${'0'.repeat(32)}`, maxRetries: 0 });
    for (const c of [client, new OpenAI({ baseURL, apiKey: 'sk-not-a-gateway-key', maxRetries: 0 })]) {
      await assert.rejects(c.chat.completions.create({ model: 'abliterated-model', messages: MESSAGES }), (e: unknown) => {
        assert.ok(e instanceof OpenAI.AuthenticationError, String(e));
        assert.ok(enveloped(e, 'invalid_api_key'), JSON.stringify(e.error));
        return true;
      });
    }
  });

  it('an organisation without credits gets APIError 402 insufficient_credits', async () => {
    const boot = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'broke', '--email', 'owner@broke.test']);
    assert.equal(boot.credits, null);
    const client = new OpenAI({ baseURL, apiKey: boot.api_key.key, maxRetries: 0 });
    const before = fake.requests.length;
    await assert.rejects(client.chat.completions.create({ model: 'abliterated-model', messages: MESSAGES, max_tokens: 16 }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.APIError, String(e));
      assert.equal(e.status, 402);
      assert.ok(enveloped(e, 'insufficient_credits'), JSON.stringify(e.error));
      refused.push(e.requestID!);
      return true;
    });
    assert.equal(fake.requests.length, before, 'a refused call never reaches the upstream');
  });

  it('the third call of a key limited to 2/min is RateLimitError with an integer Retry-After ≥ 1', async () => {
    const control = await controlAs(gw.info.controlUrl!, owner.user.email, owner.password);
    const key = await control.createKey('two-per-minute', { rate_limit_per_minute: 2 });
    const client = new OpenAI({ baseURL, apiKey: key.key, maxRetries: 0 });
    const remaining: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { response } = await client.chat.completions.create({ model: 'abliterated-model', messages: MESSAGES, max_tokens: 16 }).withResponse();
      assert.equal(response.headers.get('x-ratelimit-limit-requests'), '2');
      assert.ok(response.headers.get('x-ratelimit-reset-requests'), 'x-ratelimit-reset-requests is sent');
      remaining.push(response.headers.get('x-ratelimit-remaining-requests')!);
      served.push(response.headers.get('x-request-id')!);
    }
    assert.deepEqual(remaining, ['1', '0']);
    await assert.rejects(client.chat.completions.create({ model: 'abliterated-model', messages: MESSAGES, max_tokens: 16 }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.RateLimitError, String(e));
      assert.equal(e.status, 429);
      assert.equal(typeof (e.error as { message?: unknown }).message, 'string');
      const retryAfter = e.headers?.get('retry-after') ?? '';
      assert.match(retryAfter, /^\d+$/, `Retry-After must be integer seconds, got "${retryAfter}"`);
      assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, retryAfter);
      refused.push(e.requestID!);
      return true;
    });
  });

  it('free tier: first anonymous call is served with the output cap, the second is 402 free_tier_exhausted', async () => {
    const client = anonymous({ 'X-Free-Tier': 'true' });
    const { data, response } = await client.chat.completions.create({ model: 'abliterated-model', messages: MESSAGES, max_tokens: 200 }).withResponse();
    assert.equal(response.status, 200);
    assert.ok(data.usage!.completion_tokens > 0 && data.usage!.completion_tokens <= 8, JSON.stringify(data.usage));
    const upstream = fake.requests.at(-1)!.body as { max_tokens?: number; max_completion_tokens?: number };
    assert.ok((upstream.max_tokens ?? upstream.max_completion_tokens ?? Infinity) <= 8, JSON.stringify(upstream));

    const asOne = anonymous({ 'X-Free-Tier': '1' });
    await assert.rejects(asOne.chat.completions.create({ model: 'abliterated-model', messages: MESSAGES }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.APIError, String(e));
      assert.equal(e.status, 402);
      assert.ok(enveloped(e, 'free_tier_exhausted'), JSON.stringify(e.error));
      return true;
    });
  });

  it('free tier: another device still gets its one call; no header and no key stays 401', async () => {
    const other = anonymous({ 'X-Free-Tier': 'true', 'User-Agent': 'another-device/2' });
    const ok = await other.chat.completions.create({ model: 'abliterated-model', messages: MESSAGES });
    assert.ok(ok.usage!.completion_tokens <= 8);
    await assert.rejects(anonymous({ 'User-Agent': 'third-device/3' }).chat.completions.create({ model: 'abliterated-model', messages: MESSAGES }), (e: unknown) =>
      e instanceof OpenAI.AuthenticationError && e.code === 'missing_api_key',
    );
  });

  it('the Anthropic SDK sees 401, 402 and 429 in the Anthropic envelope on /v1/messages', async () => {
    const ask = { model: 'abliterated-model', max_tokens: 16, messages: [{ role: 'user' as const, content: 'hi' }] };
    const typeOf = (e: InstanceType<typeof Anthropic.APIError>) => (e.error as { type?: string; error?: { type?: string } }).error?.type;
    const missing = await fetch(`${gw.info.inferenceUrl}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ask) });
    assert.equal(missing.status, 401);
    assert.deepEqual(((await missing.json()) as { type: string; error: { type: string } }).error.type, 'authentication_error');
    await assert.rejects(new Anthropic({ baseURL: gw.info.inferenceUrl!, apiKey: `ak_${'0'.repeat(32)}`, maxRetries: 0 }).messages.create(ask), (e: unknown) => {
      assert.ok(e instanceof Anthropic.AuthenticationError, String(e));
      assert.equal(typeOf(e), 'authentication_error');
      return true;
    });
    const broke = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'broke-anthropic', '--email', 'owner@broke-anthropic.test']);
    await assert.rejects(new Anthropic({ baseURL: gw.info.inferenceUrl!, apiKey: broke.api_key.key, maxRetries: 0 }).messages.create(ask), (e: unknown) => {
      assert.ok(e instanceof Anthropic.PaymentRequiredError, String(e));
      assert.equal(typeOf(e), 'billing_error');
      assert.equal((e.error as { error?: { code?: string } }).error?.code, 'insufficient_credits', JSON.stringify(e.error));
      return true;
    });
    const control = await controlAs(gw.info.controlUrl!, owner.user.email, owner.password);
    const key = await control.createKey('one-per-minute', { rate_limit_per_minute: 1 });
    const client = new Anthropic({ baseURL: gw.info.inferenceUrl!, apiKey: key.key, maxRetries: 0 });
    const { response } = await client.messages.create(ask).withResponse();
    served.push(response.headers.get('x-request-id')!);
    await assert.rejects(client.messages.stream(ask).finalMessage(), (e: unknown) => {
      assert.ok(e instanceof Anthropic.RateLimitError, String(e));
      assert.equal(typeOf(e), 'rate_limit_error');
      assert.match(e.headers?.get('retry-after') ?? '', /^\d+$/);
      return true;
    });
  });

  it('the ledger has exactly one charged row per served call and none for refused ones', async () => {
    assert.equal(served.length, 3);
    assert.equal(refused.length, 2);
    assert.ok(refused.every((id) => typeof id === 'string' && id.length > 0), 'refusals carry x-request-id');
    const rows = await waitForRows<{ entry_id: string; credits: string }>(dbUrl, 'SELECT entry_id, credits FROM credit_ledger WHERE entry_id = ANY($1)', [served], served.length);
    assert.deepEqual(rows.map((r) => r.entry_id).sort(), [...served].sort());
    assert.ok(rows.every((r) => Number(r.credits) < 0), JSON.stringify(rows));
    const charged = await waitForRows<{ entry_id: string }>(dbUrl, 'SELECT entry_id FROM credit_ledger WHERE entry_id = ANY($1) AND credits <> 0', [refused], 1, 1_000);
    assert.deepEqual(charged, [], 'refused calls are never charged');
    // The rate limit is answered beside the credit reservation (issue 12): a refused call's hold is given back.
    const heldSql = 'SELECT request_id FROM credit_reservation WHERE request_id = ANY($1)';
    let held = await waitForRows<{ request_id: string }>(dbUrl, heldSql, [refused], 1, 0);
    for (let i = 0; held.length && i < 100; i++) held = await new Promise((r) => setTimeout(r, 100)).then(() => waitForRows<{ request_id: string }>(dbUrl, heldSql, [refused], 1, 0));
    assert.deepEqual(held, [], 'no credits stay held for refused calls');
  });
});
