import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { CanonicalEvent } from '../../canonical/canonical-event';
import { foldEvents } from '../../canonical/fold-events';
import { GatewayErrorCode } from '../../errors/gateway-error';
import { AnthropicBag, canonical, collect, config, providerRequest } from './anthropic.spec-helpers';
import { MessagesStreamDecoder } from './stream-parser';

const ctx = { providerId: 'anth', timeoutMs: 1000, connectTimeoutMs: 1000 };
const frame = (data: Record<string, unknown>, event = String(data.type)): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
const start = (usage: Record<string, number> = { input_tokens: 10, output_tokens: 1 }) =>
  frame({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-served', content: [], stop_reason: null, usage } });
const blockStart = (index: number, content_block: Record<string, unknown>) => frame({ type: 'content_block_start', index, content_block });
const delta = (index: number, d: Record<string, unknown>) => frame({ type: 'content_block_delta', index, delta: d });
const blockStop = (index: number) => frame({ type: 'content_block_stop', index });
const msgDelta = (stop_reason: string, usage: Record<string, number> = { output_tokens: 12 }, stop_sequence: string | null = null) =>
  frame({ type: 'message_delta', delta: { stop_reason, stop_sequence }, usage });
const STOP = frame({ type: 'message_stop' });

/** A whole tool-use stream: thinking, text, then a tool call streamed as JSON fragments. */
const TOOL_STREAM = [
  start({ input_tokens: 10, output_tokens: 1, cache_read_input_tokens: 4, cache_creation_input_tokens: 2 }),
  frame({ type: 'ping' }),
  blockStart(0, { type: 'thinking', thinking: '', signature: '' }),
  delta(0, { type: 'thinking_delta', thinking: 'hmm, secret reasoning' }),
  delta(0, { type: 'signature_delta', signature: 'sig' }),
  blockStop(0),
  blockStart(1, { type: 'text', text: '' }),
  delta(1, { type: 'text_delta', text: 'Checking the wéather ✓ ' }),
  blockStop(1),
  blockStart(2, { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: {} }),
  delta(2, { type: 'input_json_delta', partial_json: '' }),
  delta(2, { type: 'input_json_delta', partial_json: '{"city": "Par' }),
  delta(2, { type: 'input_json_delta', partial_json: 'is ✓"}' }),
  blockStop(2),
  msgDelta('tool_use'),
  STOP,
].join('');

function decode(...pieces: string[]): CanonicalEvent[] {
  const d = new MessagesStreamDecoder(ctx, 'fallback', 'req1');
  return [...pieces.flatMap((p) => d.feed(p)), ...d.end()];
}

/** Feeds raw bytes cut at the given offsets through a streaming TextDecoder, as the provider does. */
function decodeBytes(bytes: Buffer, cuts: number[]): CanonicalEvent[] {
  const utf8 = new TextDecoder();
  const bounds = [0, ...cuts, bytes.length];
  const pieces = bounds.slice(1).map((end, i) => utf8.decode(bytes.subarray(bounds[i], end), { stream: true }));
  return decode(...pieces);
}

async function* toAsync(events: CanonicalEvent[]): AsyncGenerator<CanonicalEvent> {
  for (const e of events) yield e;
}

void describe('MessagesStreamDecoder', () => {
  void it('maps the Anthropic event sequence, thinking included, numbering tool calls from 0', async () => {
    const events = decode(TOOL_STREAM);
    assert.deepEqual(events[0], { type: 'message_start', upstreamModel: 'claude-served', inputTokens: 16 });
    assert.deepEqual(
      events.map((e) => e.type),
      ['message_start', 'reasoning_start', 'reasoning_delta', 'reasoning_signature', 'text_delta', 'tool_call_start', 'tool_call_delta', 'tool_call_delta', 'usage', 'message_stop'],
    );
    assert.deepEqual(events.slice(1, 4), [
      { type: 'reasoning_start' },
      { type: 'reasoning_delta', text: 'hmm, secret reasoning' },
      { type: 'reasoning_signature', signature: 'sig' },
    ]);
    assert.deepEqual(events[5], { type: 'tool_call_start', index: 0, id: 'toolu_01', name: 'get_weather' });
    const folded = await foldEvents(toAsync(events));
    assert.equal(folded.text, 'Checking the wéather ✓ ');
    assert.deepEqual(folded.toolCalls, [{ id: 'toolu_01', name: 'get_weather', arguments: '{"city": "Paris ✓"}' }]);
    assert.equal(folded.finishReason, 'tool_use');
    assert.deepEqual(folded.usage, { inputTokens: 16, outputTokens: 12, cachedInputTokens: 4 });
    assert.deepEqual(folded.reasoning, [{ type: 'reasoning', text: 'hmm, secret reasoning', signature: 'sig' }]);
  });

  void it('gives the same events however the bytes are split, UTF-8 characters included', () => {
    const bytes = Buffer.from(TOOL_STREAM);
    const whole = decodeBytes(bytes, []);
    // Events are per SSE frame, so any split must give exactly the same list.
    for (let cut = 1; cut < bytes.length; cut++) assert.deepEqual(decodeBytes(bytes, [cut]), whole, `cut at ${cut}`);
    let seed = 7;
    const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let round = 0; round < 50; round++) {
      const cuts = [...new Set(Array.from({ length: 20 }, () => 1 + Math.floor(rand() * (bytes.length - 1))))].sort((a, b) => a - b);
      assert.deepEqual(decodeBytes(bytes, cuts), whole, `cuts ${cuts.join(',')}`);
    }
  });

  void it('maps stop reasons, including the matched stop sequence and refusal', async () => {
    const finish = async (reason: string, seq: string | null = null) => {
      const folded = await foldEvents(toAsync(decode(start(), blockStart(0, { type: 'text', text: '' }), delta(0, { type: 'text_delta', text: 'x' }), msgDelta(reason, { output_tokens: 1 }, seq), STOP)));
      return [folded.finishReason, folded.stopSequence];
    };
    assert.deepEqual(await finish('end_turn'), ['end_turn', undefined]);
    assert.deepEqual(await finish('max_tokens'), ['max_tokens', undefined]);
    assert.deepEqual(await finish('stop_sequence', 'END'), ['stop_sequence', 'END']);
    assert.deepEqual(await finish('refusal'), ['content_filter', undefined]);
    assert.deepEqual(await finish('model_context_window_exceeded'), ['max_tokens', undefined]);
    assert.deepEqual(await finish('pause_turn'), ['end_turn', undefined]);
  });

  void it('turns an `event: error` into one error event and ignores what follows', () => {
    const err = frame({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    const events = decode(start(), blockStart(0, { type: 'text', text: '' }), delta(0, { type: 'text_delta', text: 'par' }), err, STOP);
    assert.deepEqual(events.map((e) => e.type), ['message_start', 'text_delta', 'error']);
    const last = events.at(-1)!;
    assert.equal(last.type === 'error' && last.error.code, GatewayErrorCode.UpstreamOverloaded);
    assert.equal(last.type === 'error' && last.error.wireCode, 'overloaded_error');
    const early = decode(frame({ type: 'error', error: { type: 'api_error', message: 'boom' } }));
    assert.deepEqual(early.map((e) => e.type), ['error']);
    assert.equal(early[0].type === 'error' && early[0].error.code, GatewayErrorCode.UpstreamError);
  });

  void it('fails a stream cut before message_stop, but accepts EOF after message_delta', () => {
    const cut = decode(start(), blockStart(0, { type: 'text', text: '' }), delta(0, { type: 'text_delta', text: 'par' }));
    const last = cut.at(-1)!;
    assert.equal(last.type === 'error' && last.error.code, GatewayErrorCode.UpstreamError);
    assert.match(last.type === 'error' ? last.error.message : '', /ended before message_stop/);
    const noStop = decode(start(), blockStart(0, { type: 'text', text: '' }), delta(0, { type: 'text_delta', text: 'ok' }), msgDelta('end_turn'));
    assert.deepEqual(noStop.map((e) => e.type), ['message_start', 'text_delta', 'usage', 'message_stop']);
    assert.deepEqual(decode(start(), '{not sse json').map((e) => e.type), ['message_start', 'error']);
  });

  void it('accepts data-only frames, CRLF framing, whole tool input in content_block_start and unknown events', async () => {
    const crlf = (s: string) => s.replace(/\n/g, '\r\n');
    const events = decode(
      crlf(start()).replace(/^event: message_start\r\n/, ''),
      crlf(frame({ type: 'future_event', x: 1 })),
      crlf(blockStart(0, { type: 'tool_use', id: 'toolu_9', name: 'lookup', input: { q: 'x' } })),
      crlf(blockStop(0)),
      crlf(blockStart(1, { type: 'tool_use', name: 'noid', input: {} })),
      crlf(STOP),
    );
    const folded = await foldEvents(toAsync(events));
    assert.deepEqual(folded.toolCalls, [
      { id: 'toolu_9', name: 'lookup', arguments: '{"q":"x"}' },
      { id: 'toolu_req1_1', name: 'noid', arguments: '' },
    ]);
    assert.equal(folded.finishReason, 'tool_use');
    assert.deepEqual(folded.usage, { inputTokens: 10, outputTokens: 1 });
  });
});

void describe('AnthropicProvider over a byte-splitting upstream', () => {
  let server: Server;
  let url = '';
  const bag = new AnthropicBag();
  before(async () => {
    // Writes the stream in two TCP writes, cutting inside a multi-byte UTF-8 character.
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const text = [start(), blockStart(0, { type: 'text', text: '' }), delta(0, { type: 'text_delta', text: 'héllo ✓ wörld' }), blockStop(0), msgDelta('end_turn'), STOP].join('');
        const bytes = Buffer.from(text);
        const cut = bytes.indexOf(Buffer.from('✓')) + 1;
        res.write(bytes.subarray(0, cut));
        setTimeout(() => res.end(bytes.subarray(cut)), 20);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await bag.closeAll();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  void it('joins UTF-8 characters split across reads', async () => {
    const provider = bag.make(config(url));
    const folded = await foldEvents(toAsync(await collect(provider.stream(providerRequest(canonical({ stream: true }))))));
    assert.equal(folded.text, 'héllo ✓ wörld');
    assert.deepEqual(folded.usage, { inputTokens: 10, outputTokens: 12 });
  });
});
