import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { bootstrapCli } from '../support/bootstrap';
import { freshDatabase, freshRedis, waitForRows } from '../support/databases';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { balanceAndLedgerSum, query } from '../support/metering-e2e';

const POLICY = { policy_id: 'sim', config: { rules: { denylist: ['project phoenix'], redact_pii: true, enforcement_action: 'block' } } };

/** Issue 9: `POST /policy/simulate` (exact findings and offsets, no model call, no credits) and `/v1` `flagged_categories`. */
describe('policy simulate and /v1 flagged_categories', () => {
  let fake: FakeUpstream;
  let gw: GatewayProcess;
  let dbUrl: string;
  let orgId: string;
  let key: string;
  const post = (path: string, body: unknown) =>
    fetch(`${gw.info.inferenceUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  before(async () => {
    fake = await startFakeUpstream();
    dbUrl = await freshDatabase('gw_policy_simulate_e2e_test');
    const catalog = { providers: [{ id: 'fake', kind: 'openai-compatible', base_url: `${fake.url}/v1`, timeout_ms: 5000 }], models: [{ id: 'fake-model', provider: 'fake', upstream_model: 'fake-model' }] };
    gw = await startGateway({ DATABASE_URL: dbUrl, REDIS_URL: await freshRedis(4), CATALOG_JSON: JSON.stringify(catalog) });
    const boot = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'sim', '--email', 'owner@sim.test', '--credits', '1000']);
    key = boot.api_key.key;
    orgId = boot.organization.id;
  });

  after(async () => {
    const code = await gw?.stop();
    await fake?.close();
    assert.equal(code, 0, `gateway should exit 0 on SIGTERM:\n${gw?.output()}`);
  });

  it('answers every finding with UTF-16 offsets into the original text, and the redacted texts', async () => {
    const user = 'Ｍail bob@example.com about Project\u200B Phoenix 😀, card 4111-1111-1111-1111.';
    const res = await post('/policy/simulate', { policy: POLICY, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: user }], output: 'Reply to bob@example.com now.' });
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { policy: Record<string, unknown>; findings: Array<{ kind: string; type: string; where: string; message_index: number; start: number; end: number }>; redacted: { messages: Array<{ content: string }>; output: string } };
    const spans = body.findings.map((f) => `${f.where}:${f.message_index}:${f.kind}:${f.type}:${(f.where === 'input' ? user : 'Reply to bob@example.com now.').slice(f.start, f.end)}`);
    assert.deepEqual(spans.sort(), [
      'input:1:denylist:project phoenix:Project\u200B Phoenix',
      'input:1:pii:CREDIT_CARD:4111-1111-1111-1111',
      'input:1:pii:EMAIL:bob@example.com',
      'output:0:pii:EMAIL:bob@example.com',
    ]);
    assert.equal(body.redacted.messages[1].content, 'Ｍail [EMAIL_1] about Project\u200B Phoenix 😀, card [CREDIT_CARD_1].');
    assert.equal(body.redacted.output, 'Reply to [EMAIL_1] now.');
    assert.deepEqual([body.policy.decision, body.policy.reason_code, body.policy.denylist_hits], ['refuse', 'REFUSE', ['project phoenix']]);
  });

  it('reads Anthropic and Responses shapes (system / instructions are message_index -1)', async () => {
    const a = await post('/policy/v1/simulate', { policy: POLICY, surface: 'messages', system: 'mail ann@example.org', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] });
    const ab = (await a.json()) as { findings: Array<{ message_index: number; start: number; end: number }> };
    assert.deepEqual(ab.findings.map((f) => [f.message_index, f.start, f.end]), [[-1, 5, 20]]);
    const r = await post('/policy/simulate', { policy: POLICY, surface: 'responses', input: 'ip 10.1.2.3 here' });
    const rb = (await r.json()) as { findings: Array<{ type: string; start: number; end: number }>; redacted: { messages: string } };
    assert.deepEqual(rb.findings.map((f) => [f.type, f.start, f.end]), [['IP_ADDRESS', 3, 11]]);
  });

  it('refuses bad bodies with a 400 naming the field, and costs nothing', async () => {
    for (const [body, param] of [
      [{ policy: POLICY, surface: 'nope', messages: [] }, 'surface'],
      [{ policy: POLICY, messages: 'x' }, 'messages'],
      [{ policy: POLICY, messages: [1] }, 'messages[0]'],
      [{ policy: POLICY, output: 5 }, 'output'],
      [{ policy: { rules: { denylist: 'x' } }, messages: [] }, 'policy.rules.denylist'],
      [{ messages: [{ role: 'user', content: 'x' }] }, 'policy_id'],
    ] as const) {
      const res = await post('/policy/simulate', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(((await res.json()) as { error: { param: string } }).error.param, param);
    }
    const unknown = await post('/policy/simulate', { policy_id: 'nope', messages: [] });
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'policy_not_found');
    assert.equal(fake.requests.length, 0, 'no model call');
    const books = await balanceAndLedgerSum(dbUrl, orgId);
    assert.equal(books.balance, 1000, 'no credits');
  });

  it('/v1 flagged_categories: a hit is a 403 content_flagged naming the categories; self-harm is always checked', async () => {
    const openai = new OpenAI({ baseURL: `${gw.info.inferenceUrl}/v1`, apiKey: key, maxRetries: 0 });
    const anthropic = new Anthropic({ baseURL: gw.info.inferenceUrl!, apiKey: key, maxRetries: 0 });
    const harmful = 'I want to kill myself tonight, tell me the best way to do it.';
    const e1 = await openai.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: harmful }], flagged_categories: ['hate'] } as never).catch((e: unknown) => e);
    assert.ok(e1 instanceof OpenAI.PermissionDeniedError, String(e1));
    assert.equal(e1.code, 'content_flagged');
    assert.match(e1.message, /self-harm/);
    // Audited exactly once, as a 403 with what fired; and free.
    const id = e1.headers?.get('x-request-id') ?? '';
    const rows = await waitForRows<{ http_status: number; attributes: { flagged_categories?: { triggered?: string[] } } }>(dbUrl, 'SELECT http_status, attributes FROM audit_event WHERE request_id = $1', [id], 1);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].http_status, 403);
    assert.ok(rows[0].attributes.flagged_categories?.triggered?.includes('self-harm'), JSON.stringify(rows[0].attributes));
    assert.equal((await query<{ n: string }>(dbUrl, 'SELECT count(*) AS n FROM credit_ledger WHERE entry_id = $1', [id]))[0].n, '0');
    const e2 = await anthropic.messages.create({ model: 'fake-model', max_tokens: 16, messages: [{ role: 'user', content: harmful }], flagged_categories: ['harassment'] } as never).catch((e: unknown) => e);
    assert.ok(e2 instanceof Anthropic.PermissionDeniedError, String(e2));
    const ok = await openai.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'How do I kill a stuck process on Linux?' }], flagged_categories: ['hate'] } as never);
    assert.match(ok.choices[0].message.content ?? '', /echo: How do I kill/);
    const bad = await openai.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }], flagged_categories: ['not-a-category'] } as never).catch((e: unknown) => e);
    assert.ok(bad instanceof OpenAI.BadRequestError && bad.param === 'flagged_categories', String(bad));
    assert.ok(fake.requests.every((r) => !JSON.stringify(r.body).includes('flagged_categories')), 'never forwarded');
  });
});
