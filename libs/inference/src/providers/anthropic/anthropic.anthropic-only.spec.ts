import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { CanonicalEvent } from '../../canonical/canonical-event';
import type { CanonicalMessage, CanonicalRequest } from '../../canonical/canonical-request';
import { foldEvents } from '../../canonical/fold-events';
import { GatewayErrorCode } from '../../errors/gateway-error';
import { responseToEvents } from '../openai-compatible/stream-parser';
import { AnthropicBag, canonical, config, expectGatewayError, providerRequest, SECRET, startFakeAnthropic, type FakeAnthropic } from './anthropic.spec-helpers';
import { parseAnthropicMessage } from './response-parser';
import { MessagesStreamDecoder } from './stream-parser';

const frame = (data: Record<string, unknown>): string => `event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`;
const blockStart = (index: number, content_block: Record<string, unknown>) => frame({ type: 'content_block_start', index, content_block });
const delta = (index: number, d: Record<string, unknown>) => frame({ type: 'content_block_delta', index, delta: d });
const stop = (index: number) => frame({ type: 'content_block_stop', index });

async function* toAsync(events: CanonicalEvent[]): AsyncGenerator<CanonicalEvent> {
  for (const e of events) yield e;
}

void describe('Anthropic provider: reasoning in', () => {
  void it('streams consecutive thinking blocks separately, redacted thinking whole, and thinking sent whole in its start', async () => {
    const d = new MessagesStreamDecoder({ providerId: 'a', timeoutMs: 1, connectTimeoutMs: 1 }, 'fb', 'r');
    const events = d.feed(
      [
        frame({ type: 'message_start', message: { model: 'm', usage: { input_tokens: 3 } } }),
        blockStart(0, { type: 'thinking', thinking: '', signature: '' }),
        delta(0, { type: 'thinking_delta', thinking: 'one' }),
        delta(0, { type: 'text_delta', text: 'not text' }),
        delta(0, { type: 'signature_delta', signature: 's1' }),
        stop(0),
        blockStart(1, { type: 'thinking', thinking: 'two', signature: 's2' }),
        stop(1),
        blockStart(2, { type: 'redacted_thinking', data: 'enc==' }),
        stop(2),
        blockStart(3, { type: 'text', text: '' }),
        delta(3, { type: 'thinking_delta', thinking: 'stray' }),
        delta(3, { type: 'text_delta', text: 'answer' }),
        stop(3),
        frame({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 9 } }),
        frame({ type: 'message_stop' }),
      ].join(''),
    );
    assert.deepEqual(events.slice(1, -2), [
      { type: 'reasoning_start' },
      { type: 'reasoning_delta', text: 'one' },
      { type: 'reasoning_signature', signature: 's1' },
      { type: 'reasoning_start' },
      { type: 'reasoning_delta', text: 'two' },
      { type: 'reasoning_signature', signature: 's2' },
      { type: 'redacted_reasoning', data: 'enc==' },
      { type: 'text_delta', text: 'answer' },
    ]);
    const folded = await foldEvents(toAsync(events));
    assert.deepEqual(folded.reasoning, [
      { type: 'reasoning', text: 'one', signature: 's1' },
      { type: 'reasoning', text: 'two', signature: 's2' },
      { type: 'redacted_reasoning', data: 'enc==' },
    ]);
  });

  void it('reads thinking from a JSON answer, and replays it as the same events when a stream request got JSON', async () => {
    const json = {
      model: 'm',
      content: [
        { type: 'thinking', thinking: 'hm', signature: 'sig' },
        { type: 'redacted_thinking', data: 'enc' },
        { type: 'thinking', thinking: 'no sig' },
        { type: 'text', text: 'hi' },
      ],
      stop_reason: 'end_turn',
      usage: { input_tokens: 1, output_tokens: 2 },
    };
    const parsed = parseAnthropicMessage(json, 'fb')!;
    assert.deepEqual(parsed.reasoning, [
      { type: 'reasoning', text: 'hm', signature: 'sig' },
      { type: 'redacted_reasoning', data: 'enc' },
      { type: 'reasoning', text: 'no sig' },
    ]);
    assert.equal(parsed.text, 'hi');
    assert.equal(parseAnthropicMessage({ content: [{ type: 'text', text: 'x' }] }, 'fb')!.reasoning, undefined);
    assert.deepEqual(await foldEvents(toAsync(responseToEvents(parsed))), parsed);
  });
});

void describe('Anthropic provider over HTTP: betas and the thinking tool loop', () => {
  let fake: FakeAnthropic;
  const bag = new AnthropicBag();
  before(async () => {
    fake = await startFakeAnthropic({ apiKey: SECRET });
  });
  afterEach(() => bag.closeAll());
  after(() => fake.close());

  const WEATHER = { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } };
  const thinkingOn = (over: Partial<CanonicalRequest> = {}): CanonicalRequest =>
    canonical({ tools: [WEATHER], passthrough: { dialect: 'anthropic-messages', fields: { thinking: { type: 'enabled', budget_tokens: 1024 } } }, ...over });

  void it('merges the caller\'s anthropic-beta with the configured one on messages and count_tokens; other dialects send only the configured', async () => {
    const provider = bag.make(config(fake.url, { extra_headers: { 'anthropic-beta': 'context-management-2025-06-27' } }));
    const headers = { 'anthropic-beta': 'interleaved-thinking-2025-05-14,context-management-2025-06-27' };
    const req = canonical({ passthrough: { dialect: 'anthropic-messages', fields: {}, headers } });
    await provider.complete(providerRequest(req));
    assert.equal(fake.requests.at(-1)!.headers['anthropic-beta'], 'context-management-2025-06-27,interleaved-thinking-2025-05-14');
    await provider.tokenize(providerRequest(req));
    assert.equal(fake.requests.at(-1)!.path, '/v1/messages/count_tokens');
    assert.equal(fake.requests.at(-1)!.headers['anthropic-beta'], 'context-management-2025-06-27,interleaved-thinking-2025-05-14');
    await provider.complete(providerRequest(canonical({ passthrough: { dialect: 'openai-chat', fields: {}, headers } })));
    assert.equal(fake.requests.at(-1)!.headers['anthropic-beta'], 'context-management-2025-06-27');
    await bag.make(config(fake.url)).complete(providerRequest(canonical()));
    assert.equal(fake.requests.at(-1)!.headers['anthropic-beta'], undefined);
  });

  void it('sends the streamed thinking block back, signed and first, so a thinking tool loop is accepted', async () => {
    const provider = bag.make(config(fake.url));
    const first = await foldEvents(provider.stream(providerRequest(thinkingOn({ stream: true }), undefined, 'thinking')));
    assert.equal(first.finishReason, 'tool_use');
    const signature = `sig_fake_${fake.requests.length}`;
    assert.deepEqual(first.reasoning, [{ type: 'reasoning', text: 'Let me think about that.', signature }]);
    const call = first.toolCalls[0];
    const result: CanonicalMessage = { role: 'tool', content: [{ type: 'tool_result', toolCallId: call.id, content: [{ type: 'text', text: 'sunny' }] }] };
    const assistant: CanonicalMessage = { role: 'assistant', content: [...first.reasoning, { type: 'tool_call', ...call }] };
    const second = await provider.complete(providerRequest(thinkingOn({ messages: [...canonical().messages, assistant, result] }), undefined, 'thinking'));
    assert.equal(second.text, 'tool said: sunny');
    assert.deepEqual(fake.requests.at(-1)!.body.messages[1].content[0], { type: 'thinking', thinking: 'Let me think about that.', signature });
    // Without it, Anthropic (and the fake) reject the loop: what the gateway did before keeping thinking.
    const bare: CanonicalMessage = { role: 'assistant', content: [{ type: 'tool_call', ...call }] };
    const err = await expectGatewayError(provider.complete(providerRequest(thinkingOn({ messages: [...canonical().messages, bare, result] }))), GatewayErrorCode.InvalidRequest, 400);
    assert.match(err.message, /must start with a thinking block/);
  });
});
