import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { bootstrapCli } from '../support/bootstrap';
import { freshDatabase, freshRedis, waitForRows } from '../support/databases';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { query, reservedCredits, until } from '../support/metering-e2e';

const SMALL_LIMIT = 64;

/**
 * Issue 8, reproducers 2 and 3, through the official SDKs against a real gateway with credits (production mode):
 * `tool_choice: {}` and absurd output caps are 400s naming the field (they were a 500 and a 503), audited as 400,
 * holding no credits; a cap above the catalogue's `max_output_tokens` is a 400 worded as the vendor words it.
 */
describe('schema limits e2e: tool_choice shapes, bounded output caps, the model limit', () => {
  let fake: FakeUpstream;
  let gw: GatewayProcess;
  let dbUrl: string;
  let orgId: string;
  let openai: OpenAI;
  let anthropic: Anthropic;
  const refused: string[] = [];

  /** Runs `call`, expects a 400 whose `param` (OpenAI) or message (Anthropic) names `field`; records its request id. */
  async function refusedWith(call: Promise<unknown>, field: string | RegExp): Promise<string> {
    const err = await call.then(
      () => assert.fail('expected a 400'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof OpenAI.APIError || err instanceof Anthropic.APIError, String(err));
    assert.equal(err.status, 400, `${err.status}: ${err.message}`);
    const param = (err.error as { error?: { param?: string } } | undefined)?.error?.param ?? (err.error as { param?: string } | undefined)?.param;
    if (err instanceof OpenAI.APIError) assert.ok(typeof field === 'string' ? param === field : field.test(param ?? ''), `param ${param}: ${err.message}`);
    else assert.match(err.message, typeof field === 'string' ? new RegExp(`\\b${field}\\b`) : field);
    const id = err.headers?.get('x-request-id') ?? '';
    assert.ok(id, 'the 400 carries its request id');
    refused.push(id);
    return err.message;
  }

  before(async () => {
    fake = await startFakeUpstream();
    dbUrl = await freshDatabase('gw_schemas_limits_e2e_test');
    const catalog = {
      providers: [{ id: 'fake', kind: 'openai-compatible', base_url: `${fake.url}/v1`, timeout_ms: 5000 }],
      models: [
        { id: 'fake-model', provider: 'fake', upstream_model: 'fake-model' },
        { id: 'small-model', provider: 'fake', upstream_model: 'fake-model', max_output_tokens: SMALL_LIMIT },
      ],
    };
    gw = await startGateway({ DATABASE_URL: dbUrl, REDIS_URL: await freshRedis(3), CATALOG_JSON: JSON.stringify(catalog) });
    const boot = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'limits', '--email', 'owner@limits.test', '--credits', '100000']);
    orgId = boot.organization.id;
    openai = new OpenAI({ baseURL: `${gw.info.inferenceUrl}/v1`, apiKey: boot.api_key.key, maxRetries: 0 });
    anthropic = new Anthropic({ baseURL: gw.info.inferenceUrl!, apiKey: boot.api_key.key, maxRetries: 0 });
  });

  after(async () => {
    const code = await gw?.stop();
    await fake?.close();
    assert.equal(code, 0, `gateway should exit 0 on SIGTERM:\n${gw?.output()}`);
  });

  const user = [{ role: 'user' as const, content: 'hi' }];

  it('tool_choice {} is a 400 naming tool_choice on all three surfaces (was a 500 on chat)', async () => {
    const tools: OpenAI.Chat.ChatCompletionTool[] = [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }];
    const empty = {} as never;
    await refusedWith(openai.chat.completions.create({ model: 'fake-model', messages: user, tools, tool_choice: empty }), 'tool_choice.type');
    await refusedWith(openai.responses.create({ model: 'fake-model', input: 'hi', tool_choice: empty }), 'tool_choice.type');
    await refusedWith(anthropic.messages.create({ model: 'fake-model', max_tokens: 8, messages: user, tool_choice: empty }), /tool_choice\.type/);
  });

  it('max_tokens / max_output_tokens of 1e308 and 1.2e29 are 400s naming the field (were 503s)', async () => {
    for (const huge of [1e308, 1.2e29]) {
      await refusedWith(openai.chat.completions.create({ model: 'fake-model', messages: user, max_tokens: huge }), 'max_tokens');
      await refusedWith(openai.chat.completions.create({ model: 'fake-model', messages: user, max_completion_tokens: huge, stream: true }), 'max_completion_tokens');
      await refusedWith(openai.responses.create({ model: 'fake-model', input: 'hi', max_output_tokens: huge }), 'max_output_tokens');
      // An explicit timeout: without one the SDK itself refuses a non-streaming call with such a max_tokens.
      await refusedWith(anthropic.messages.create({ model: 'fake-model', max_tokens: huge, messages: user }, { timeout: 10_000 }), 'max_tokens');
      await refusedWith(anthropic.messages.create({ model: 'fake-model', max_tokens: huge, messages: user, stream: true }), 'max_tokens');
    }
  });

  it("a cap above the model's max_output_tokens is a 400 in the vendor's words; at the limit, or defaulted, it is served", async () => {
    const over = SMALL_LIMIT + 1;
    const msg = await refusedWith(openai.chat.completions.create({ model: 'small-model', messages: user, max_tokens: over }), 'max_tokens');
    assert.match(msg, new RegExp(`max_tokens is too large: ${over}\\. This model supports at most ${SMALL_LIMIT} completion tokens`));
    await refusedWith(openai.responses.create({ model: 'small-model', input: 'hi', max_output_tokens: over }), 'max_output_tokens');
    const amsg = await refusedWith(anthropic.messages.create({ model: 'small-model', max_tokens: over, messages: user }), 'max_tokens');
    assert.match(amsg, new RegExp(`${over} > ${SMALL_LIMIT}, which is the maximum allowed number of output tokens for small-model`));

    const ok = await openai.chat.completions.create({ model: 'small-model', messages: user, max_tokens: SMALL_LIMIT });
    assert.equal(ok.object, 'chat.completion');
    // No max_tokens on Messages: the gateway's default (4096) is lowered to the model's limit, not refused.
    fake.requests.length = 0;
    const defaulted = await anthropic.messages.create({ model: 'small-model', messages: user } as unknown as Anthropic.MessageCreateParamsNonStreaming);
    assert.equal(defaulted.type, 'message');
    assert.ok(fake.requests.every((r) => r.body?.max_tokens === undefined || r.body.max_tokens <= SMALL_LIMIT), JSON.stringify(fake.requests.map((r) => r.body?.max_tokens)));
  });

  it('every refusal is audited once as a 400 and holds no credits', async () => {
    const rows = await waitForRows<{ request_id: string; http_status: number }>(dbUrl, 'SELECT request_id, http_status FROM audit_event WHERE request_id = ANY($1)', [refused], refused.length);
    assert.equal(rows.length, refused.length);
    assert.deepEqual([...new Set(rows.map((r) => r.http_status))], [400]);
    // The served calls of the test above settle asynchronously (billing follows audit): wait for them.
    assert.ok(await until(async () => (await reservedCredits(dbUrl, orgId)) === 0), `credits still reserved: ${await reservedCredits(dbUrl, orgId)}`);
    const ledger = await query<{ n: string }>(dbUrl, 'SELECT count(*) AS n FROM credit_ledger WHERE entry_id = ANY($1)', [refused]);
    assert.equal(Number(ledger[0].n), 0, 'a refused request is never billed');
  });
});
