import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError, GatewayErrorCode } from '../../errors/gateway-error';
import { LocalGgufProvider } from './local-gguf.provider';
import { clock, collect, config, last, req, textOf, weather } from './local-gguf.test-helpers';

void describe('LocalGgufProvider (real stories260K model)', () => {
  const provider = new LocalGgufProvider(config());

  before(async () => {
    await provider.init();
  });
  after(async () => {
    await provider.close();
  });

  void it('is ready, text-only, tool-capable', () => {
    assert.equal(provider.isReady(), true);
    assert.deepEqual(provider.capabilities, { images: false, tools: true });
  });

  void it('streams message_start, text deltas, usage, message_stop', async () => {
    const events = await collect(provider.stream(req({ maxTokens: 40 })));
    const first = events[0];
    assert.equal(first?.type, 'message_start');
    assert.equal(first.upstreamModel, 'stories260K');
    assert.equal(first.inputTokens, await provider.countTokens(req()));
    assert.ok(events.filter((e) => e.type === 'text_delta').length > 1, 'several text deltas');
    assert.ok(textOf(events).length > 0);
    const tail = events.slice(-2).map((e) => e.type);
    assert.deepEqual(tail, ['usage', 'message_stop']);
    assert.equal(events.filter((e) => e.type === 'message_start').length, 1);
    const usage = events.find((e) => e.type === 'usage');
    assert.ok(usage?.type === 'usage');
    assert.equal(usage.usage.inputTokens, first.inputTokens);
    assert.ok(usage.usage.outputTokens > 0 && usage.usage.outputTokens <= 40);
    assert.deepEqual(provider.queueStats(), { running: 0, waiting: 0, capacity: 2, maxQueue: 4 });
  });

  void it('stops at maxTokens with the real generated token count', async () => {
    const res = await provider.complete(req({ maxTokens: 12 }));
    assert.equal(res.finishReason, 'max_tokens');
    assert.equal(res.usage.outputTokens, 12);
    assert.ok(res.text.length > 0);
  });

  void it('caps generation at 256 tokens when maxTokens is not set', async () => {
    const res = await provider.complete(req({ sampling: { seed: 7, temperature: 1 } }));
    assert.ok(res.usage.outputTokens > 0 && res.usage.outputTokens <= 256, `got ${res.usage.outputTokens}`);
    if (res.finishReason === 'max_tokens') assert.equal(res.usage.outputTokens, 256);
  });

  void it('is reproducible with a seed and varies across seeds', async () => {
    const a = await provider.complete(req({ maxTokens: 48, sampling: { seed: 1, temperature: 0.9 } }));
    const b = await provider.complete(req({ maxTokens: 48, sampling: { seed: 1, temperature: 0.9 } }));
    const c = await provider.complete(req({ maxTokens: 48, sampling: { seed: 2, temperature: 0.9 } }));
    assert.equal(a.text, b.text);
    assert.notEqual(a.text, c.text);
  });

  void it('accepts topP, topK and presence/frequency penalties', async () => {
    const plain = await provider.complete(req({ maxTokens: 64, sampling: { seed: 5 } }));
    const penalised = await provider.complete(
      req({ maxTokens: 64, sampling: { seed: 5, topP: 0.9, topK: 20, presencePenalty: 1.5, frequencyPenalty: 1.5 } }),
    );
    assert.ok(penalised.text.length > 0);
    assert.notEqual(penalised.text, plain.text);
  });

  void it('honours stop sequences without emitting the stop text', async () => {
    const full = await provider.complete(req({ maxTokens: 80, sampling: { seed: 11 } }));
    const word = full.text.slice(8).match(/ [A-Za-z]{3,}/)?.[0];
    assert.ok(word, `no word to stop on in ${JSON.stringify(full.text)}`);
    const expected = full.text.slice(0, full.text.indexOf(word));
    const events = await collect(provider.stream(req({ maxTokens: 80, sampling: { seed: 11 }, stop: ['zzzq', word] })));
    const stop = last(events);
    assert.deepEqual(stop, { type: 'message_stop', finishReason: 'stop_sequence', stopSequence: word });
    assert.equal(textOf(events), expected);
    assert.ok(!textOf(events).includes(word));
  });

  void it('rejects image input with a 400', async () => {
    const request = req({
      messages: [{ role: 'user', content: [{ type: 'image', source: { kind: 'url', url: 'https://example.com/cat.png' } }] }],
    });
    await assert.rejects(collect(provider.stream(request)), (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.status, 400);
      assert.equal(err.param, 'messages');
      assert.equal(err.message, "The model 'stories260K' served by provider 'local' does not accept image input");
      return true;
    });
  });

  void it('forces a tool call whose arguments are valid JSON for the schema', async () => {
    for (const seed of [1, 2, 3]) {
      const events = await collect(
        provider.stream(req({ tools: [weather, clock], toolChoice: { type: 'tool', name: 'get_weather' }, sampling: { seed } })),
      );
      assert.deepEqual(
        events.map((e) => e.type).filter((t, i, all) => t !== all[i - 1]),
        ['message_start', 'tool_call_start', 'tool_call_delta', 'usage', 'message_stop'],
      );
      const start = events[1];
      assert.ok(start?.type === 'tool_call_start');
      assert.equal(start.index, 0);
      assert.equal(start.name, 'get_weather');
      assert.match(start.id, /^call_[\w-]{20,}$/);
      const args = events.map((e) => (e.type === 'tool_call_delta' ? e.argumentsDelta : '')).join('');
      const parsed = JSON.parse(args) as Record<string, unknown>;
      assert.deepEqual(Object.keys(parsed), ['city']);
      assert.equal(typeof parsed.city, 'string');
      assert.deepEqual(last(events), { type: 'message_stop', finishReason: 'tool_use' });
    }
  });

  void it('with tool_choice required, picks one of the tools and fills its schema', async () => {
    const res = await provider.complete(req({ tools: [weather, clock], toolChoice: { type: 'required' }, sampling: { seed: 3 } }));
    assert.equal(res.finishReason, 'tool_use');
    assert.equal(res.toolCalls.length, 1);
    const call = res.toolCalls[0];
    const args = JSON.parse(call.arguments) as Record<string, unknown>;
    if (call.name === 'get_time') assert.ok(['UTC', 'CET'].includes(args.zone as string));
    else assert.equal(typeof args.city, 'string');
    assert.ok(res.usage.outputTokens > 0);
  });

  void it('completes a tool round trip: the result goes back in and the model answers in text', async () => {
    const call = { type: 'tool_call' as const, id: 'call_abc', name: 'get_weather', arguments: '{"city":"Paris"}' };
    const res = await provider.complete(
      req({
        tools: [weather],
        maxTokens: 30,
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'What is the weather in Paris?' }] },
          { role: 'assistant', content: [call] },
          { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_abc', content: [{ type: 'text', text: 'Sunny, 21 C' }] }] },
        ],
      }),
    );
    assert.equal(res.toolCalls.length, 0);
    assert.ok(res.text.length > 0);
    assert.ok(['end_turn', 'max_tokens'].includes(res.finishReason));
  });

  void it('constrains text to a JSON schema (response_format)', async () => {
    const schema = { type: 'object', properties: { mood: { enum: ['happy', 'sad'] } }, required: ['mood'] };
    const res = await provider.complete(req({ responseFormat: { type: 'json_schema', name: 'mood', schema } }));
    const value = JSON.parse(res.text) as { mood: string };
    assert.ok(['happy', 'sad'].includes(value.mood));
    assert.equal(res.finishReason, 'end_turn');
  });

  void it('counts prompt tokens with the model tokenizer', async () => {
    const short = await provider.countTokens(req());
    const long = await provider.countTokens(
      req({ messages: [{ role: 'user', content: [{ type: 'text', text: 'Tell me a story about a cat and a dog and a bird.' }] }] }),
    );
    assert.ok(short > 0);
    assert.ok(long > short);
  });

  void it('rejects prompts that leave no room in the context', async () => {
    const small = new LocalGgufProvider(config({ context_size: 64 }));
    await small.init();
    try {
      const text = 'Once upon a time there was a cat. '.repeat(20);
      const request = req({ messages: [{ role: 'user', content: [{ type: 'text', text }] }] });
      await assert.rejects(small.complete(request), { code: GatewayErrorCode.InvalidRequest, wireCode: 'context_length_exceeded' });
      const ok = await small.complete(req({ maxTokens: 500 }));
      assert.ok(ok.usage.inputTokens + ok.usage.outputTokens <= 64);
    } finally {
      await small.close();
    }
  });
});
