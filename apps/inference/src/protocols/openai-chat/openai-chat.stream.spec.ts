import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import OpenAI from 'openai';
import { GatewayError, GatewayErrorCode, type CanonicalEvent } from '@gw/inference';
import { ChatStreamEncoder } from './openai-chat.stream';

const HEAD = '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":7,"model":"m","system_fingerprint":null,"choices":';

function run(events: CanonicalEvent[], includeUsage: boolean): string {
  const sut = new ChatStreamEncoder({ id: 'chatcmpl-1', model: 'm', created: 7, includeUsage });
  return events.map((e) => sut.encode(e)).join('') + sut.finish();
}

const TOOL_STREAM: CanonicalEvent[] = [
  { type: 'message_start', upstreamModel: 'u', inputTokens: 5 },
  { type: 'tool_call_start', index: 0, id: 'call_1', name: 'get_weather' },
  { type: 'tool_call_delta', index: 0, argumentsDelta: '{"city":' },
  { type: 'tool_call_delta', index: 0, argumentsDelta: '"Paris"}' },
  { type: 'usage', usage: { inputTokens: 5, outputTokens: 3 } },
  { type: 'message_stop', finishReason: 'tool_use' },
];

describe(ChatStreamEncoder.name, () => {
  it('encodes text with the role first, finish_reason, a separate usage chunk and [DONE]', () => {
    const out = run(
      [
        { type: 'message_start', upstreamModel: 'u' },
        { type: 'text_delta', text: 'Hi' },
        { type: 'text_delta', text: '' },
        { type: 'usage', usage: { inputTokens: 2, outputTokens: 1 } },
        { type: 'message_stop', finishReason: 'max_tokens' },
      ],
      true,
    );
    assert.equal(
      out,
      `data: ${HEAD}[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}\n\n` +
        `data: ${HEAD}[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}]}\n\n` +
        `data: ${HEAD}[{"index":0,"delta":{},"logprobs":null,"finish_reason":"length"}]}\n\n` +
        `data: ${HEAD}[],"usage":{"prompt_tokens":2,"completion_tokens":1,"total_tokens":3}}\n\n` +
        'data: [DONE]\n\n',
    );
  });

  it('streams tool calls as indexed deltas and puts usage on the finish chunk without include_usage', () => {
    const frames = run(TOOL_STREAM, false).split('\n\n').filter(Boolean);
    assert.equal(frames.length, 6);
    assert.deepEqual(JSON.parse(frames[1].slice(6)).choices[0].delta, {
      tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }],
    });
    const args = frames.slice(2, 4).map((f) => JSON.parse(f.slice(6)).choices[0].delta.tool_calls[0].function.arguments).join('');
    assert.equal(args, '{"city":"Paris"}');
    const last = JSON.parse(frames[4].slice(6));
    assert.equal(last.choices[0].finish_reason, 'tool_calls');
    assert.deepEqual(last.usage, { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
    assert.equal(frames[5], 'data: [DONE]');
  });

  it('ends with an OpenAI error frame and no [DONE] after an error event', () => {
    const sut = new ChatStreamEncoder({ id: 'chatcmpl-1', model: 'm', created: 7, includeUsage: false });
    sut.encode({ type: 'message_start', upstreamModel: 'u' });
    const frame = sut.encode({ type: 'error', error: GatewayError.invalid('bad', 'x') });
    assert.deepEqual(JSON.parse(frame.slice(6)), { error: { message: 'bad', type: 'invalid_request_error', param: 'x', code: 'invalid_request' } });
    assert.equal(sut.finish(), '');
  });

  const FAILED: CanonicalEvent[] = [
    { type: 'message_start', upstreamModel: 'u', inputTokens: 5 },
    { type: 'text_delta', text: 'Hi' },
    // InferenceService settles a failed stream first and tells the client what was generated and charged.
    { type: 'metering', charge: { remainingCredits: 41, creditsUsed: 1, costUsd: 0.00003 }, usage: { inputTokens: 5, outputTokens: 1 } },
    { type: 'error', error: new GatewayError(GatewayErrorCode.UpstreamError, 'upstream broke') },
  ];

  it('puts the usage and credit fields of a stream that failed mid-way on its error chunk', () => {
    const frames = run(FAILED, true).split('\n\n').filter(Boolean);
    assert.equal(frames.length, 3, 'role, text, error; no finish chunk and no [DONE]');
    assert.equal(
      frames[2],
      'data: {"error":{"message":"upstream broke","type":"server_error","param":null,"code":"upstream_error"},' +
        '"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6},"remaining_credits":41,"estimated_credits_used":1,"estimated_cost_usd":0.00003}',
    );
  });

  it('the billed error chunk still raises the SDK APIError (openai@6 stream parser)', async () => {
    const sse = run(FAILED, false);
    const fetch = async (): Promise<Response> => new Response(sse, { headers: { 'content-type': 'text/event-stream' } });
    const client = new OpenAI({ apiKey: 'k', baseURL: 'http://gateway.test/v1', fetch, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true });
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
      })(),
      (e: unknown) => e instanceof OpenAI.APIError && /upstream broke/.test(e.message),
    );
    assert.deepEqual(seen, ['', 'Hi']);
  });
});
