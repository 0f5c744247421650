import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { CanonicalEvent } from '../../canonical/canonical-event';
import type { CanonicalMessage } from '../../canonical/canonical-request';
import { foldEvents } from '../../canonical/fold-events';
import { GatewayErrorCode } from '../../errors/gateway-error';
import {
  AnthropicBag,
  canonical,
  collect,
  config,
  expectGatewayError,
  providerRequest,
  SECRET,
  startFakeAnthropic,
  type FakeAnthropic,
} from './anthropic.spec-helpers';

const WEATHER = { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } };
const ARGS = '{"city":"Paris","note":"naïve \\"quoted\\" ✓","days":[1,2,3]}';
const PREAMBLE = 'Let me check. ';

async function* toAsync(events: CanonicalEvent[]): AsyncGenerator<CanonicalEvent> {
  for (const e of events) yield e;
}

function assertWellFormed(events: CanonicalEvent[]): void {
  assert.equal(events[0]?.type, 'message_start');
  assert.deepEqual(events.slice(-2).map((e) => e.type).sort(), ['message_stop', 'usage']);
  assert.equal(events.filter((e) => e.type === 'message_start').length, 1);
  assert.ok(!events.some((e) => e.type === 'error'));
}

void describe('AnthropicProvider: mapping, complete and stream', () => {
  let fake: FakeAnthropic;
  const bag = new AnthropicBag();
  before(async () => {
    fake = await startFakeAnthropic({ apiKey: SECRET, toolArguments: ARGS, toolArgumentFragments: 7, toolPreamble: PREAMBLE, cachedTokens: 2 });
  });
  afterEach(() => bag.closeAll());
  after(() => fake.close());

  void it('sends x-api-key, anthropic-version and extra headers to /v1/messages, whatever the base path', async () => {
    for (const base of [fake.url, `${fake.url}/`, `${fake.url}/v1`]) {
      const provider = bag.make(config(base, { extra_headers: { 'Anthropic-Beta': 'context-management-2025-06-27', 'x-api-key': 'not-this' } }));
      await provider.complete(providerRequest(canonical({ messages: [{ role: 'system', content: [{ type: 'text', text: 'sys' }] }, { role: 'user', content: [{ type: 'text', text: 'hi' }] }] })));
      const rec = fake.requests.at(-1)!;
      assert.equal(rec.path, '/v1/messages');
      assert.equal(rec.headers['x-api-key'], SECRET);
      assert.equal(rec.headers['anthropic-version'], '2023-06-01');
      assert.equal(rec.headers['anthropic-beta'], 'context-management-2025-06-27');
      assert.equal(rec.headers.authorization, undefined);
      assert.equal(rec.headers['content-type'], 'application/json');
      assert.deepEqual(rec.body.system, [{ type: 'text', text: 'sys' }]);
      assert.deepEqual([rec.body.model, rec.body.max_tokens, rec.body.stream], ['up-model', 4096, false]);
    }
  });

  void it('completes text, with usage counting cached tokens into the input', async () => {
    const provider = bag.make(config(fake.url));
    const res = await provider.complete(providerRequest(canonical()));
    assert.equal(res.text, 'echo: hello there');
    assert.equal(res.finishReason, 'end_turn');
    assert.equal(res.upstreamModel, 'up-model');
    assert.deepEqual(res.toolCalls, []);
    assert.equal(res.usage.outputTokens, 5);
    assert.equal(res.usage.cachedInputTokens, 2);
    assert.equal(res.usage.inputTokens, await provider.tokenize(providerRequest(canonical())));
  });

  void it('streams with the Anthropic accept header and reports input tokens at message_start', async () => {
    const provider = bag.make(config(fake.url));
    const events = await collect(provider.stream(providerRequest(canonical({ stream: true }))));
    assertWellFormed(events);
    assert.equal(fake.requests.at(-1)!.headers.accept, 'text/event-stream');
    assert.equal(fake.requests.at(-1)!.body.stream, true);
    const startEv = events[0];
    assert.ok(startEv.type === 'message_start' && typeof startEv.inputTokens === 'number' && startEv.inputTokens > 0);
    assert.ok(events.filter((e) => e.type === 'text_delta').length >= 2);
  });

  void it('maps max_tokens, stop sequences and refusals', async () => {
    const provider = bag.make(config(fake.url));
    const cut = await provider.complete(providerRequest(canonical({ maxTokens: 1 })));
    assert.deepEqual([cut.finishReason, cut.text], ['max_tokens', 'echo']);
    const stopped = await foldEvents(provider.stream(providerRequest(canonical({ stream: true, stop: ['there'] }))));
    assert.deepEqual([stopped.finishReason, stopped.stopSequence, stopped.text], ['stop_sequence', 'there', 'echo: hello ']);
    const refused = await provider.complete(providerRequest(canonical(), undefined, 'refusal'));
    assert.equal(refused.finishReason, 'content_filter');
  });

  const afterTool: CanonicalMessage[] = [
    { role: 'user', content: [{ type: 'text', text: 'weather?' }] },
    { role: 'assistant', content: [{ type: 'tool_call', id: 'toolu_x', name: 'get_weather', arguments: '{"city":"Oslo"}' }] },
    { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'toolu_x', content: [{ type: 'text', text: 'sunny' }] }] },
  ];
  const cases: Array<[string, Parameters<typeof canonical>[0], string?]> = [
    ['text', {}],
    ['a tool call after text', { tools: [WEATHER] }],
    ['an answer after a tool result', { tools: [WEATHER], messages: afterTool }],
    ['thinking', {}, 'thinking'],
    ['parallel tool calls', { tools: [WEATHER, { ...WEATHER, name: 'get_time' }] }, 'parallel-tools'],
  ];
  for (const [name, over, model] of cases) {
    void it(`stream and complete fold to the same result: ${name}`, async () => {
      const provider = bag.make(config(fake.url));
      const viaComplete = await provider.complete(providerRequest(canonical(over), undefined, model));
      const events = await collect(provider.stream(providerRequest(canonical({ ...over, stream: true }), undefined, model)));
      assertWellFormed(events);
      const viaStream = await foldEvents(toAsync(events));
      // The fake numbers tool ids and signatures per request (toolu_fake_<request>_<i>, sig_fake_<request>): compare them by shape.
      const norm = (r: typeof viaStream) => ({
        ...r,
        toolCalls: r.toolCalls.map((c) => ({ ...c, id: c.id.replace(/_\d+_/, '_N_') })),
        reasoning: r.reasoning?.map((p) => (p.type === 'reasoning' ? { ...p, signature: p.signature?.replace(/\d+$/, 'N') } : p)),
      });
      assert.deepEqual(norm(viaStream), norm(viaComplete));
      if (model === 'thinking') {
        assert.equal(viaStream.text, 'echo: hello there');
        assert.deepEqual(viaStream.reasoning, [{ type: 'reasoning', text: 'Let me think about that.', signature: `sig_fake_${fake.requests.length}` }]);
      }
      if (model === 'parallel-tools') assert.deepEqual(viaStream.toolCalls.map((c) => c.name), ['get_weather', 'get_time']);
    });
  }

  void it('round-trips a tool call: streamed arguments exact, ids intact in the next request, then the answer', async () => {
    const provider = bag.make(config(fake.url));
    const first = await foldEvents(provider.stream(providerRequest(canonical({ tools: [WEATHER], stream: true }))));
    assert.equal(first.text, PREAMBLE);
    assert.equal(first.finishReason, 'tool_use');
    assert.equal(first.toolCalls.length, 1);
    const call = first.toolCalls[0];
    assert.deepEqual([call.name, call.arguments], ['get_weather', ARGS]);
    assert.match(call.id, /^toolu_fake_/);
    const messages: CanonicalMessage[] = [
      ...canonical().messages,
      { role: 'assistant', content: [{ type: 'text', text: first.text }, { type: 'tool_call', ...call }] },
      { role: 'tool', content: [{ type: 'tool_result', toolCallId: call.id, content: [{ type: 'text', text: 'sunny, 21°C' }] }] },
    ];
    const second = await provider.complete(providerRequest(canonical({ tools: [WEATHER], messages })));
    assert.equal(second.text, 'tool said: sunny, 21°C');
    assert.equal(second.finishReason, 'end_turn');
    const sent = fake.requests.at(-1)!.body.messages;
    assert.deepEqual(sent[1].content[1], { type: 'tool_use', id: call.id, name: 'get_weather', input: JSON.parse(ARGS) });
    assert.deepEqual(sent[2], { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: [{ type: 'text', text: 'sunny, 21°C' }] }] });
  });

  void it('forwards Anthropic-only fields for the anthropic dialect only', async () => {
    const provider = bag.make(config(fake.url));
    const fields = { thinking: { type: 'enabled', budget_tokens: 1024 }, context_management: { edits: [] }, service_tier: 'auto' };
    await provider.complete(providerRequest(canonical({ passthrough: { dialect: 'anthropic-messages', fields } })));
    const b = fake.requests.at(-1)!.body;
    assert.deepEqual([b.thinking, b.context_management, b.service_tier], [fields.thinking, fields.context_management, 'auto']);
    await provider.complete(providerRequest(canonical({ passthrough: { dialect: 'openai-responses', fields } })));
    assert.equal(fake.requests.at(-1)!.body.thinking, undefined);
  });

  void it('reuses the keep-alive connection across streams, and replays a JSON answer to a stream request', async () => {
    const provider = bag.make(config(fake.url, { connections: 1 }));
    for (let i = 0; i < 3; i++) await collect(provider.stream(providerRequest(canonical({ stream: true }))));
    assert.equal(new Set(fake.requests.slice(-3).map((r) => r.remotePort)).size, 1);
    const json = await foldEvents(provider.stream(providerRequest(canonical({ stream: true }), undefined, 'json-for-stream')));
    assert.equal(json.text, 'echo: hello there');
    assert.equal(json.usage.outputTokens, 5);
  });

  void it('counts tokens through /v1/messages/count_tokens, null when that fails', async () => {
    const provider = bag.make(config(fake.url));
    const req = canonical({ tools: [WEATHER], maxTokens: 10, sampling: { temperature: 0.3 }, passthrough: { dialect: 'anthropic-messages', fields: { thinking: { type: 'enabled', budget_tokens: 2048 } } } });
    const n = await provider.tokenize(providerRequest(req));
    assert.ok(typeof n === 'number' && n > 0);
    const rec = fake.requests.at(-1)!;
    assert.equal(rec.path, '/v1/messages/count_tokens');
    assert.equal(rec.headers['x-api-key'], SECRET);
    assert.deepEqual(Object.keys(rec.body).sort(), ['messages', 'model', 'thinking', 'tools']);
    for (const failing of ['fail-500', 'fail-404', 'bad-json', 'fail-401']) assert.equal(await provider.tokenize(providerRequest(req, undefined, failing)), null, failing);
    const gone = new AbortController();
    gone.abort();
    await expectGatewayError(provider.tokenize(providerRequest(req, gone.signal)), GatewayErrorCode.ClientClosed, 499);
  });
});
