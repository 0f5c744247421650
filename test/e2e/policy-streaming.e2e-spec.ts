import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { bootstrapCli } from '../support/bootstrap';
import { freshDatabase, freshRedis, waitForRows } from '../support/databases';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { SURFACE_NAMES, SurfaceDrivers, say } from '../support/policy-drivers';

const REDACT = { policy_id: 'stream-redact', config: { rules: { redact_pii: true } } };
const DENY = { policy_id: 'stream-deny', config: { rules: { denylist: ['secret project phoenix'], enforcement_action: 'block' } } };
const SHADOW = { policy_id: 'stream-shadow', config: { rules: { denylist: ['secret project phoenix'] }, deployment: { enabled: false } } };
const END_BY_SURFACE = { chat: 'content_filter', responses: 'incomplete:content_filter', messages: 'refusal' };

/**
 * Issue 9, streaming enforcement: the upstream streams one character per delta, so every PII value and the denied
 * phrase arrive split; they are still redacted or stopped, the protocol's own way, on all three surfaces.
 */
describe('policy enforcement on streams split into 1-character deltas', () => {
  let fake: FakeUpstream;
  let gw: GatewayProcess;
  let drivers: SurfaceDrivers;
  let v1: OpenAI;
  let apiKey: string;
  let dbUrl: string;

  before(async () => {
    fake = await startFakeUpstream({ toolArguments: '{"to":"carol@example.org","note":"card 5555 5555 5555 4444"}' });
    dbUrl = await freshDatabase('gw_policy_stream_e2e_test');
    const catalog = {
      providers: [{ id: 'fake', kind: 'openai-compatible', base_url: `${fake.url}/v1`, timeout_ms: 5000 }],
      models: [{ id: 'char-model', provider: 'fake', upstream_model: 'char-stream' }],
    };
    gw = await startGateway({ DATABASE_URL: dbUrl, REDIS_URL: await freshRedis(2), CATALOG_JSON: JSON.stringify(catalog) });
    const boot = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'streams', '--email', 'owner@streams.test', '--credits', '100000']);
    apiKey = boot.api_key.key;
    drivers = new SurfaceDrivers(`${gw.info.inferenceUrl}/policy`, apiKey);
    v1 = new OpenAI({ baseURL: `${gw.info.inferenceUrl}/v1`, apiKey: boot.api_key.key, maxRetries: 0 });
  });

  after(async () => {
    const code = await gw?.stop();
    await fake?.close();
    assert.equal(code, 0, `gateway should exit 0 on SIGTERM:\n${gw?.output()}`);
  });

  for (const surface of SURFACE_NAMES) {
    it(`${surface}: PII split across deltas is redacted mid-stream, with stable numbering`, async () => {
      const text = 'Reach alice@corp.example, card 4111 1111 1111 1111, again alice@corp.example. Done.';
      const out = await drivers.call(surface, { text: say(text), stream: true, model: 'char-model', extra: { policy: REDACT } });
      assert.equal(out.status, 200, out.error?.message);
      assert.equal(out.text, 'Reach [EMAIL_1], card [CREDIT_CARD_1], again [EMAIL_1]. Done.');
      assert.ok(out.policies.every((p) => p?.policy_id === 'stream-redact'), 'policy on every frame');
    });

    it(`${surface}: a denied phrase split across deltas ends the stream the protocol's way`, async () => {
      const text = 'Sure. The secret   project Phoenix launches soon, and more text follows here.';
      const out = await drivers.call(surface, { text: say(text), stream: true, model: 'char-model', extra: { policy: DENY } });
      assert.equal(out.status, 200, out.error?.message);
      assert.equal(out.text, 'Sure. The ');
      assert.equal(out.end, END_BY_SURFACE[surface]);
      const last = out.policies[out.policies.length - 1]!;
      assert.deepEqual([last.decision, last.effective_decision, last.denylist_hits], ['refuse', 'refuse', ['secret project phoenix']]);
      assert.equal(out.policies[0]?.decision, 'allow', 'the input was allowed; the decision changed mid-stream');
    });

    it(`${surface}: non-streaming answers get the same output checks`, async () => {
      const red = await drivers.call(surface, { text: say('mail alice@corp.example now'), stream: false, model: 'char-model', extra: { policy: REDACT } });
      assert.equal(red.text, 'mail [EMAIL_1] now');
      const denied = await drivers.call(surface, { text: say('ok: secret project phoenix!'), stream: false, model: 'char-model', extra: { policy: DENY } });
      assert.equal(denied.text, 'ok: ');
      assert.equal(denied.end, { chat: 'content_filter', responses: 'incomplete:content_filter', messages: 'refusal' }[surface]);
    });
  }

  it('shadow mode observes output hits without cutting the stream', async () => {
    const text = 'The secret project phoenix is fine.';
    const out = await drivers.call('chat', { text: say(text), stream: true, model: 'char-model', extra: { policy: SHADOW } });
    assert.equal(out.text, text);
    assert.equal(out.end, 'stop');
    const last = out.policies[out.policies.length - 1]!;
    assert.deepEqual([last.decision, last.effective_decision, last.enforced, last.rollout_mode], ['refuse', 'allow', false, 'shadow']);
  });

  it('tool-call argument deltas are scanned and redacted too', async () => {
    const tools: OpenAI.Chat.ChatCompletionTool[] = [{ type: 'function', function: { name: 'send', parameters: { type: 'object', properties: {} } } }];
    const stream = await new OpenAI({ baseURL: `${gw.info.inferenceUrl}/policy/v1`, apiKey, maxRetries: 0 }).chat.completions.create({
      model: 'char-model',
      messages: [{ role: 'user', content: 'send it' }],
      tools,
      stream: true,
      policy: REDACT,
    } as never);
    let args = '';
    for await (const chunk of stream as unknown as AsyncIterable<OpenAI.Chat.ChatCompletionChunk>) args += chunk.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '';
    assert.deepEqual(JSON.parse(args), { to: '[EMAIL_1]', note: 'card [CREDIT_CARD_1]' });
  });

  it('/v1 evaluates an inline policy silently (no policy object) and never forwards policy fields', async () => {
    const before = fake.requests.length;
    const r = (await v1.chat.completions.create({ model: 'char-model', messages: [{ role: 'user', content: say('mail alice@corp.example') }], policy: REDACT } as never)) as unknown as Record<string, unknown> & OpenAI.Chat.ChatCompletion;
    assert.equal(r.choices[0].message.content, 'mail [EMAIL_1]');
    assert.equal(r.policy, undefined);
    assert.ok(!JSON.stringify(fake.requests.slice(before).map((q) => q.body)).includes('stream-redact'));
  });

  it('every streamed call was audited once with its redaction counts, never the values', async () => {
    const rows = await waitForRows<{ attributes: Record<string, unknown> }>(dbUrl, "SELECT attributes FROM audit_event WHERE attributes ? 'policy'", [], 14);
    const text = JSON.stringify(rows);
    assert.ok(!text.includes('alice@corp.example') && !text.includes('4111'), 'no matched value in audit');
    assert.ok(rows.some((r) => ((r.attributes.policy as { redaction_counts?: Record<string, number> }).redaction_counts?.EMAIL ?? 0) >= 2));
  });
});
