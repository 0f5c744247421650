import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { CanonicalEvent } from '../../canonical/canonical-event';
import { foldEvents } from '../../canonical/fold-events';
import { GatewayErrorCode } from '../../errors/gateway-error';
import { canonical, collect, config, ProviderBag, providerRequest } from './provider.spec-helpers';
import { ChatStreamDecoder } from './stream-parser';

const ctx = { providerId: 'up', timeoutMs: 1000, connectTimeoutMs: 1000 };
const sse = (obj: unknown): string => `data: ${JSON.stringify(obj)}\n\n`;
const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) =>
  sse({ model: 'served-model', choices: [{ index: 0, delta, finish_reason: finish }], ...extra });

function decode(...pieces: string[]): CanonicalEvent[] {
  const d = new ChatStreamDecoder(ctx, 'fallback', 'req1');
  return [...pieces.flatMap((p) => d.feed(p)), ...d.end()];
}

void describe('ChatStreamDecoder', () => {
  void it('buffers tool call arguments until the name is known, and numbers calls in start order', async () => {
    const events = decode(
      chunk({ role: 'assistant', tool_calls: [{ index: 3, id: 'call_a', function: { arguments: '{"a"' } }] }),
      chunk({ tool_calls: [{ index: 3, function: { name: 'first', arguments: ':1}' } }] }),
      chunk({ tool_calls: [{ index: 5, id: 'call_b', function: { name: 'second', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
      'data: [DONE]\n\n',
    );
    const folded = await foldEvents(toAsync(events));
    assert.deepEqual(folded.toolCalls, [
      { id: 'call_a', name: 'first', arguments: '{"a":1}' },
      { id: 'call_b', name: 'second', arguments: '{}' },
    ]);
    assert.equal(folded.finishReason, 'tool_use');
    assert.equal(folded.upstreamModel, 'served-model');
  });

  void it('handles usage on the finish chunk, vLLM stop_reason, comments and CRLF framing', async () => {
    const finish = JSON.stringify({
      choices: [{ index: 0, delta: {}, finish_reason: 'stop', stop_reason: 'END' }],
      usage: { prompt_tokens: 7, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 4 } },
    });
    const events = decode(': keep-alive\r\n\r\n', `data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}\r\n\r\n`, `data: ${finish}\r\n\r\n`, 'data: [DONE]\r\n\r\n');
    const folded = await foldEvents(toAsync(events));
    assert.equal(folded.text, 'hi');
    assert.equal(folded.finishReason, 'stop_sequence');
    assert.equal(folded.stopSequence, 'END');
    assert.deepEqual(folded.usage, { inputTokens: 7, outputTokens: 3, cachedInputTokens: 4 });
    assert.equal(events.filter((e) => e.type === 'usage').length, 1);
  });

  void it('reports a stream that ends before any finish reason or [DONE] as an error', () => {
    const events = decode(chunk({ role: 'assistant', content: 'par' }));
    const last = events.at(-1)!;
    assert.equal(last.type, 'error');
    assert.equal(last.type === 'error' && last.error.code, GatewayErrorCode.UpstreamError);
  });

  void it('accepts a finish reason followed by EOF without [DONE]', () => {
    const events = decode(chunk({ content: 'ok' }), chunk({}, 'length'));
    assert.deepEqual(
      events.map((e) => e.type),
      ['message_start', 'text_delta', 'message_stop', 'usage'],
    );
  });
});

void describe('OpenAICompatibleProvider over a byte-splitting upstream', () => {
  let server: Server;
  let url = '';
  const bag = new ProviderBag();
  before(async () => {
    // Writes each SSE frame in two TCP writes, cutting inside a multi-byte UTF-8 character.
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const frames = [chunk({ role: 'assistant', content: '' }), chunk({ content: 'héllo ✓ wörld' }), chunk({}, 'stop'), 'data: [DONE]\n\n'];
        const bytes = Buffer.from(frames.join(''));
        const cut = bytes.indexOf(Buffer.from('✓')) + 1;
        res.write(bytes.subarray(0, cut));
        setTimeout(() => res.end(bytes.subarray(cut)), 20);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  after(async () => {
    await bag.closeAll();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  void it('joins UTF-8 characters split across reads', async () => {
    const provider = bag.make(config(url));
    const events = await collect(provider.stream(providerRequest(canonical({ stream: true }))));
    const folded = await foldEvents(toAsync(events));
    assert.equal(folded.text, 'héllo ✓ wörld');
    assert.deepEqual(folded.usage, { inputTokens: 0, outputTokens: 0 });
  });
});

async function* toAsync(events: CanonicalEvent[]): AsyncGenerator<CanonicalEvent> {
  for (const e of events) yield e;
}
