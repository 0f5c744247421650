import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { GatewayError, GatewayErrorCode } from '@gw/inference';
import { renderError } from '../shared/error-envelope';
import { toMessage } from './anthropic-messages.response.mapper';
import { encodeAll, TEXT_STREAM, THINKING_STREAM, TOOL_STREAM } from './anthropic-messages.spec-helpers';
import { MessagesStreamEncoder } from './anthropic-messages.stream';

/** Serves `body` in 7-byte chunks, so frames arrive split the way a network delivers them. */
function chunked(body: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(body);
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, (at += 7)));
    },
  });
}

/** A client whose every request is answered with `body` (SSE when it is a string, else JSON). */
function clientAnswering(body: string | object, status = 200): Anthropic {
  return new Anthropic({
    apiKey: 'x',
    baseURL: 'http://gateway.test',
    maxRetries: 0,
    fetch: async () =>
      typeof body === 'string'
        ? new Response(chunked(body), { status, headers: { 'content-type': 'text/event-stream' } })
        : new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }),
  });
}

const PARAMS = { model: 'abliterated-model', max_tokens: 64, messages: [{ role: 'user' as const, content: 'hi' }] };

describe('anthropic-messages through @anthropic-ai/sdk', () => {
  it('messages.stream() accumulates a text stream: text events, final text, stop_reason, usage', async () => {
    const stream = clientAnswering(encodeAll(TEXT_STREAM)).messages.stream(PARAMS);
    const deltas: string[] = [];
    stream.on('text', (t) => deltas.push(t));
    const msg = await stream.finalMessage();
    assert.deepEqual(deltas, ['Hel', 'lo']);
    assert.equal(msg.id, 'msg_1');
    assert.equal(msg.role, 'assistant');
    assert.deepEqual(
      msg.content.map((b) => (b.type === 'text' ? b.text : b.type)),
      ['Hello'],
    );
    assert.equal(msg.stop_reason, 'end_turn');
    assert.equal(msg.usage.input_tokens, 9);
    assert.equal(msg.usage.output_tokens, 2);
  });

  it('messages.stream() assembles tool_use input from input_json_delta, and reads input_tokens from message_delta', async () => {
    const msg = await clientAnswering(encodeAll(TOOL_STREAM)).messages.stream(PARAMS).finalMessage();
    assert.equal(msg.stop_reason, 'tool_use');
    assert.equal(msg.content.length, 3);
    const [text, call, bare] = msg.content;
    assert.ok(text.type === 'text' && text.text === 'Checking.');
    assert.ok(call.type === 'tool_use' && bare.type === 'tool_use');
    assert.equal(call.id, 'toolu_1');
    assert.equal(call.name, 'get_weather');
    assert.deepEqual(call.input, { city: 'Paris' });
    assert.deepEqual(bare.input, {});
    // message_start said 0 (the upstream reports usage at the end); message_delta's count wins.
    assert.equal(msg.usage.input_tokens, 30);
    assert.equal(msg.usage.cache_read_input_tokens, 20);
    assert.equal(msg.usage.output_tokens, 12);
  });

  it('finalMessage() shows the signed thinking and redacted thinking blocks first, ready to send back', async () => {
    const thinking: string[] = [];
    const stream = clientAnswering(encodeAll(THINKING_STREAM)).messages.stream(PARAMS);
    stream.on('thinking', (t) => thinking.push(t));
    const msg = await stream.finalMessage();
    assert.deepEqual(thinking, ['Let me ', 'think.']);
    assert.deepEqual(msg.content.slice(0, 2), [
      { type: 'thinking', thinking: 'Let me think.', signature: 'sig_1' },
      { type: 'redacted_thinking', data: 'opaque==' },
    ]);
    assert.deepEqual(
      msg.content.map((b) => b.type),
      ['thinking', 'redacted_thinking', 'text', 'tool_use'],
    );
  });

  it('finalText() is "" for an empty answer rather than throwing', async () => {
    const sse = encodeAll([{ type: 'message_start', upstreamModel: 'u' }, { type: 'message_stop', finishReason: 'end_turn' }]);
    assert.equal(await clientAnswering(sse).messages.stream(PARAMS).finalText(), '');
  });

  it('create({stream: true}) yields all six event types (ping is consumed by the SDK)', async () => {
    const events = await clientAnswering(encodeAll(TOOL_STREAM)).messages.create({ ...PARAMS, stream: true });
    const types = new Set<string>();
    for await (const e of events) types.add(e.type);
    assert.deepEqual([...types].sort(), ['content_block_delta', 'content_block_start', 'content_block_stop', 'message_delta', 'message_start', 'message_stop']);
  });

  it('a mid-stream overloaded_error rejects finalMessage() with an APIError of that type', async () => {
    const sut = new MessagesStreamEncoder({ id: 'msg_1', model: 'm' });
    const sse =
      sut.encode({ type: 'message_start', upstreamModel: 'u' }) +
      sut.encode({ type: 'text_delta', text: 'partial' }) +
      sut.encode({ type: 'error', error: new GatewayError(GatewayErrorCode.UpstreamOverloaded, 'Overloaded') }) +
      sut.finish();
    const stream = clientAnswering(sse).messages.stream(PARAMS);
    await assert.rejects(stream.finalMessage(), (err: unknown) => {
      assert.ok(err instanceof Anthropic.APIError, String(err));
      assert.equal(err.type, 'overloaded_error');
      assert.match(err.message, /Overloaded/);
      return true;
    });
  });

  it('a billed mid-stream failure rejects with an APIError whose body carries the usage and credit fields', async () => {
    const sut = new MessagesStreamEncoder({ id: 'msg_1', model: 'm' });
    const sse =
      sut.encode({ type: 'message_start', upstreamModel: 'u', inputTokens: 3 }) +
      sut.encode({ type: 'text_delta', text: 'partial' }) +
      sut.encode({ type: 'metering', charge: { remainingCredits: 7, creditsUsed: 1, costUsd: 0.00002 }, usage: { inputTokens: 3, outputTokens: 1 } }) +
      sut.encode({ type: 'error', error: new GatewayError(GatewayErrorCode.UpstreamError, 'broke') }) +
      sut.finish();
    await assert.rejects(clientAnswering(sse).messages.stream(PARAMS).finalMessage(), (err: unknown) => {
      assert.ok(err instanceof Anthropic.APIError, String(err));
      const body = err.error as { usage?: { output_tokens: number }; estimated_credits_used?: number; remaining_credits?: number };
      assert.deepEqual([body.usage?.output_tokens, body.estimated_credits_used, body.remaining_credits], [1, 1, 7]);
      return true;
    });
  });

  it('create() parses the non-streaming body, credit fields included', async () => {
    const body = toMessage(
      {
        upstreamModel: 'u',
        modelId: 'abliterated-model',
        text: 'Hi',
        toolCalls: [{ id: 'toolu_9', name: 'f', arguments: '{"x":1}' }],
        finishReason: 'tool_use',
        usage: { inputTokens: 5, outputTokens: 3 },
        charge: { remainingCredits: 10, creditsUsed: 1, costUsd: 0.00004 },
      },
      'msg_9',
      'abliterated-model',
    );
    const msg = await clientAnswering(body).messages.create(PARAMS);
    assert.equal(msg.stop_reason, 'tool_use');
    assert.deepEqual(msg.content[1], { type: 'tool_use', id: 'toolu_9', name: 'f', input: { x: 1 } });
    assert.equal((msg as unknown as { remaining_credits: number }).remaining_credits, 10);
  });

  it('create() shows thinking first in a non-streaming body', async () => {
    const usage = { inputTokens: 5, outputTokens: 3 };
    const reasoning = [{ type: 'reasoning' as const, text: 'hm', signature: 's' }];
    const body = toMessage({ upstreamModel: 'u', modelId: 'm', text: 'Hi', reasoning, toolCalls: [], finishReason: 'end_turn', usage }, 'msg_8', 'm');
    const msg = await clientAnswering(body).messages.create(PARAMS);
    assert.deepEqual(msg.content, [
      { type: 'thinking', thinking: 'hm', signature: 's' },
      { type: 'text', text: 'Hi' },
    ]);
  });

  it('a 529 in the Anthropic envelope surfaces as the SDK OverloadedError', async () => {
    const { status, body } = renderError(new GatewayError(GatewayErrorCode.UpstreamOverloaded, 'Overloaded'), 'anthropic', 'req_1');
    await assert.rejects(clientAnswering(body as object, status).messages.create(PARAMS), Anthropic.OverloadedError);
  });
});
