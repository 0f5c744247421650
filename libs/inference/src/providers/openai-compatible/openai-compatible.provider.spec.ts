import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import type { CanonicalEvent } from '../../canonical/canonical-event';
import { foldEvents } from '../../canonical/fold-events';
import { GatewayErrorCode } from '../../errors/gateway-error';
import { canonical, collect, config, expectGatewayError, ProviderBag, providerRequest, SECRET } from './provider.spec-helpers';

const WEATHER = {
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: true,
};
const ARGS = '{"city":"Paris","note":"naïve \\"quoted\\" ✓","days":[1,2,3]}';

void describe('OpenAICompatibleProvider: mapping, complete and stream', () => {
  let fake: FakeUpstream;
  const bag = new ProviderBag();
  before(async () => {
    fake = await startFakeUpstream({ toolArguments: ARGS, toolArgumentFragments: 7, cachedTokens: 2 });
  });
  afterEach(() => bag.closeAll());
  after(() => fake.close());

  void it('maps the canonical request onto the OpenAI chat body', async () => {
    const provider = bag.make(config(`${fake.url}/v1/`));
    const req = canonical({
      messages: [
        { role: 'developer', content: [{ type: 'text', text: 'be brief' }] },
        { role: 'system', content: [{ type: 'text', text: 'sys' }], name: 'ops' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { kind: 'url', url: 'https://example.com/a.jpg' }, detail: 'low' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'checking' },
            { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
            { type: 'tool_call', id: 'call_2', name: 'get_weather', arguments: '{"city":"Rome"}' },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', toolCallId: 'call_1', content: [{ type: 'text', text: 'cold' }] },
            { type: 'tool_result', toolCallId: 'call_2', content: [{ type: 'text', text: 'warm' }], isError: true },
            { type: 'text', text: 'and now?' },
          ],
        },
      ],
      tools: [WEATHER],
      toolChoice: { type: 'tool', name: 'get_weather' },
      parallelToolCalls: false,
      sampling: { temperature: 0.2, topP: 0.9, topK: 40, seed: 7, presencePenalty: 0.1, frequencyPenalty: 0.3 },
      maxTokens: 99,
      stop: ['END'],
      responseFormat: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true },
      user: 'user-42',
      passthrough: { dialect: 'openai-chat', fields: { logit_bias: { '50256': -100 }, model: 'evil', stream: true, messages: [] } },
    });
    await provider.complete(providerRequest(req));
    const rec = fake.requests.at(-1)!;
    assert.equal(rec.path, '/v1/chat/completions');
    assert.equal(rec.headers.authorization, `Bearer ${SECRET}`);
    assert.equal(rec.headers['content-type'], 'application/json');
    const b = rec.body;
    assert.equal(b.model, 'up-model');
    assert.equal(b.stream, false);
    assert.equal(b.stream_options, undefined);
    assert.deepEqual(b.logit_bias, { '50256': -100 });
    assert.equal(b.top_k, undefined);
    assert.deepEqual(b.messages, [
      { role: 'system', content: 'be brief' },
      { role: 'system', content: 'sys', name: 'ops' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/a.jpg', detail: 'low' } },
        ],
      },
      {
        role: 'assistant',
        content: 'checking',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'cold' },
      { role: 'tool', tool_call_id: 'call_2', content: 'warm' },
      { role: 'user', content: 'and now?' },
    ]);
    assert.deepEqual(b.tools, [{ type: 'function', function: WEATHER }]);
    assert.deepEqual(b.tool_choice, { type: 'function', function: { name: 'get_weather' } });
    assert.equal(b.parallel_tool_calls, false);
    assert.deepEqual(
      [b.temperature, b.top_p, b.seed, b.presence_penalty, b.frequency_penalty, b.max_tokens, b.user],
      [0.2, 0.9, 7, 0.1, 0.3, 99, 'user-42'],
    );
    assert.deepEqual(b.stop, ['END']);
    assert.deepEqual(b.response_format, { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } });
  });

  void it('asks for usage when streaming, ignores passthrough from other dialects and tool_choice without tools', async () => {
    const provider = bag.make(config(`${fake.url}/v1`));
    const req = canonical({
      stream: true,
      toolChoice: { type: 'none' },
      passthrough: { dialect: 'anthropic-messages', fields: { top_k: 3, thinking: { type: 'enabled' } } },
    });
    await collect(provider.stream(providerRequest(req)));
    const b = fake.requests.at(-1)!.body;
    assert.equal(b.stream, true);
    assert.deepEqual(b.stream_options, { include_usage: true });
    assert.equal(b.top_k, undefined);
    assert.equal(b.thinking, undefined);
    assert.equal(b.tool_choice, undefined);
    assert.equal(fake.requests.at(-1)!.headers.accept, 'text/event-stream');
  });

  void it('rejects images for a provider without image support, naming the model, before calling upstream', async () => {
    const provider = bag.make(config(`${fake.url}/v1`, { supports_images: false }));
    assert.equal(provider.capabilities.images, false);
    assert.equal(provider.capabilities.tools, true);
    const before = fake.requests.length;
    const req = canonical({
      messages: [{ role: 'user', content: [{ type: 'image', source: { kind: 'url', url: 'https://example.com/x.png' } }] }],
    });
    const err = await expectGatewayError(provider.complete(providerRequest(req)), GatewayErrorCode.InvalidRequest, 400);
    assert.match(err.message, /'abliterated-model'/);
    assert.equal(fake.requests.length, before);
  });

  void it('completes text, with usage and cached tokens', async () => {
    const provider = bag.make(config(`${fake.url}/v1`));
    const res = await provider.complete(providerRequest(canonical()));
    assert.equal(res.text, 'echo: hello there');
    assert.equal(res.finishReason, 'end_turn');
    assert.equal(res.upstreamModel, 'up-model');
    assert.deepEqual(res.toolCalls, []);
    assert.equal(res.usage.outputTokens, 5);
    assert.ok(res.usage.inputTokens > 0);
    assert.equal(res.usage.cachedInputTokens, 2);
  });

  void it('maps finish_reason length to max_tokens', async () => {
    const provider = bag.make(config(`${fake.url}/v1`));
    const res = await provider.complete(providerRequest(canonical({ maxTokens: 1 })));
    assert.equal(res.finishReason, 'max_tokens');
    assert.equal(res.text, 'echo');
    const streamed = await foldEvents(provider.stream(providerRequest(canonical({ maxTokens: 1, stream: true }))));
    assert.equal(streamed.finishReason, 'max_tokens');
  });

  const cases: Array<[string, Parameters<typeof canonical>[0]]> = [
    ['text', {}],
    ['a tool call', { tools: [WEATHER] }],
    [
      'an answer after a tool result',
      {
        tools: [WEATHER],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'weather?' }] },
          { role: 'assistant', content: [{ type: 'tool_call', id: 'c1', name: 'get_weather', arguments: '{}' }] },
          { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'c1', content: [{ type: 'text', text: 'sunny' }] }] },
        ],
      },
    ],
  ];
  for (const [name, over] of cases) {
    void it(`stream and complete fold to the same result: ${name}`, async () => {
      const provider = bag.make(config(`${fake.url}/v1`));
      const viaComplete = await provider.complete(providerRequest(canonical(over)));
      const events = await collect(provider.stream(providerRequest(canonical({ ...over, stream: true }))));
      assertWellFormed(events);
      const viaStream = await foldEvents(toAsync(events));
      // The fake numbers tool call ids per request (call_fake_<request>_<i>): compare them by shape.
      const ids = (r: typeof viaStream) => r.toolCalls.map((c) => c.id.replace(/^call_fake_\d+_/, 'call_fake_N_'));
      assert.deepEqual(ids(viaStream), ids(viaComplete));
      assert.deepEqual(strip(viaStream), strip(viaComplete));
    });
  }

  void it('reassembles streamed tool call fragments to the exact arguments', async () => {
    const provider = bag.make(config(`${fake.url}/v1`));
    const events = await collect(provider.stream(providerRequest(canonical({ tools: [WEATHER], stream: true }))));
    const deltas = events.filter((e) => e.type === 'tool_call_delta');
    assert.ok(deltas.length >= 5, `expected several fragments, got ${deltas.length}`);
    const folded = await foldEvents(toAsync(events));
    assert.equal(folded.toolCalls.length, 1);
    assert.equal(folded.toolCalls[0].arguments, ARGS);
    assert.equal(folded.toolCalls[0].name, 'get_weather');
    assert.match(folded.toolCalls[0].id, /^call_fake_/);
    assert.equal(folded.finishReason, 'tool_use');
  });

  void it('keeps parallel tool calls apart', async () => {
    const provider = bag.make(config(`${fake.url}/v1`));
    const req = canonical({ tools: [WEATHER, { ...WEATHER, name: 'get_time' }], stream: true });
    fake.setBehaviour('parallel-tools');
    try {
      const folded = await foldEvents(provider.stream(providerRequest(req)));
      assert.deepEqual(
        folded.toolCalls.map((c) => [c.name, c.arguments]),
        [
          ['get_weather', ARGS],
          ['get_time', '{"city":"Rome"}'],
        ],
      );
    } finally {
      fake.setBehaviour(undefined);
    }
  });

  void it('reuses the keep-alive connection across streams', async () => {
    const provider = bag.make(config(`${fake.url}/v1`, { connections: 1 }));
    for (let i = 0; i < 3; i++) await collect(provider.stream(providerRequest(canonical({ stream: true }))));
    const ports = new Set(fake.requests.slice(-3).map((r) => r.remotePort));
    assert.equal(ports.size, 1);
  });

  void it('emits zero usage when the upstream streams none, and replays a JSON answer to a stream request', async () => {
    const provider = bag.make(config(`${fake.url}/v1`));
    const noUsage = await collect(provider.stream(providerRequest(canonical({ model: 'x', stream: true }), undefined, 'no-usage')));
    assertWellFormed(noUsage);
    assert.deepEqual(noUsage.find((e) => e.type === 'usage'), { type: 'usage', usage: { inputTokens: 0, outputTokens: 0 } });
    const json = await foldEvents(provider.stream(providerRequest(canonical({ stream: true }), undefined, 'json-for-stream')));
    assert.equal(json.text, 'echo: hello there');
    assert.equal(json.usage.outputTokens, 5);
  });
});

function assertWellFormed(events: CanonicalEvent[]): void {
  assert.equal(events[0]?.type, 'message_start');
  const tail = events.slice(-2).map((e) => e.type).sort();
  assert.deepEqual(tail, ['message_stop', 'usage']);
  assert.equal(events.filter((e) => e.type === 'message_start').length, 1);
  assert.ok(!events.some((e) => e.type === 'error'));
}

function strip(r: Awaited<ReturnType<typeof foldEvents>>): unknown {
  return { ...r, toolCalls: r.toolCalls.map((c) => ({ ...c, id: 'x' })) };
}

async function* toAsync(events: CanonicalEvent[]): AsyncGenerator<CanonicalEvent> {
  for (const e of events) yield e;
}
