import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InferenceContext } from '@gw/inference';
import { createMessagesAdapter, parseMessages, upstreamHeaders } from './anthropic-messages.adapter';

/** What only an Anthropic upstream can use: cache_control markers, signed thinking, anthropic-beta. */
const EPH = { type: 'ephemeral' };
const H1 = { type: 'ephemeral', ttl: '1h' };

describe('anthropic-messages: Anthropic-only semantics kept for the upstream', () => {
  it('keeps cache_control on system, text, image, tool_use, tool_result (and inside it) and tools; null means none', () => {
    const img = { type: 'image', source: { type: 'url', url: 'https://x/y.png' }, cache_control: EPH };
    const c = parseMessages(
      {
        model: 'm',
        system: [{ type: 'text', text: 'sys', cache_control: H1 }, { type: 'text', text: 'plain', cache_control: null }],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'look', cache_control: EPH }, img] },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: {}, cache_control: EPH }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'r', cache_control: EPH }], cache_control: H1 }] },
        ],
        tools: [{ name: 'f', input_schema: { type: 'object' }, cache_control: H1 }, { name: 'g', input_schema: { type: 'object' }, cache_control: null }],
      },
      64,
    );
    assert.deepEqual(c.messages[0].content, [
      { type: 'text', text: 'sys', cacheControl: H1 },
      { type: 'text', text: 'plain' },
    ]);
    assert.deepEqual(c.messages[1].content, [
      { type: 'text', text: 'look', cacheControl: EPH },
      { type: 'image', source: { kind: 'url', url: 'https://x/y.png' }, cacheControl: EPH },
    ]);
    assert.deepEqual(c.messages[2].content, [{ type: 'tool_call', id: 'toolu_1', name: 'f', arguments: '{}', cacheControl: EPH }]);
    assert.deepEqual(c.messages[3].content, [{ type: 'tool_result', toolCallId: 'toolu_1', content: [{ type: 'text', text: 'r', cacheControl: EPH }], cacheControl: H1 }]);
    assert.deepEqual(
      c.tools?.map((t) => t.cacheControl),
      [H1, undefined],
    );
  });

  it('keeps thinking blocks as reasoning parts, empty thinking and a missing signature included', () => {
    const c = parseMessages(
      {
        model: 'm',
        messages: [
          { role: 'user', content: 'q' },
          {
            role: 'assistant',
            content: [{ type: 'thinking', thinking: '', signature: 'sig_omitted' }, { type: 'thinking', thinking: 'unsigned' }, { type: 'redacted_thinking', data: 'enc' }, { type: 'text', text: 'a' }],
          },
        ],
      },
      64,
    );
    assert.deepEqual(c.messages[1].content, [
      { type: 'reasoning', text: '', signature: 'sig_omitted' },
      { type: 'reasoning', text: 'unsigned' },
      { type: 'redacted_reasoning', data: 'enc' },
      { type: 'text', text: 'a' },
    ]);
    assert.throws(() => parseMessages({ model: 'm', messages: [{ role: 'assistant', content: [{ type: 'thinking', thinking: 1 }] }] }, 64), /thinking/);
  });

  it('passes anthropic-beta on (and nothing else, never credentials), for /v1/messages and count_tokens alike', async () => {
    const headers = {
      'anthropic-beta': 'context-management-2025-06-27,interleaved-thinking-2025-05-14',
      'anthropic-version': '2023-06-01',
      'x-api-key': 'ak_secret',
      authorization: 'Bearer ak_secret',
    };
    assert.deepEqual(upstreamHeaders(headers), { 'anthropic-beta': headers['anthropic-beta'] });
    assert.deepEqual(upstreamHeaders({ 'anthropic-beta': ['a', 'b'] }), { 'anthropic-beta': 'a,b' });
    assert.equal(upstreamHeaders({ 'x-api-key': 'k' }), undefined);
    assert.equal(upstreamHeaders({ 'anthropic-beta': '' }), undefined);

    const body = { model: 'm', messages: [{ role: 'user', content: 'x' }] };
    assert.deepEqual(parseMessages(body, 64, headers).passthrough, { dialect: 'anthropic-messages', fields: {}, headers: { 'anthropic-beta': headers['anthropic-beta'] } });
    assert.deepEqual(parseMessages(body, 64).passthrough, { dialect: 'anthropic-messages', fields: {} });
    const ctx: InferenceContext = { requestId: 'r', surface: 'messages', startedAt: 0, startedAtMs: 0, signal: new AbortController().signal };
    const parsed = await createMessagesAdapter(64).parse(body, ctx, headers);
    assert.deepEqual(parsed.canonical.passthrough.headers, { 'anthropic-beta': headers['anthropic-beta'] });
  });
});
