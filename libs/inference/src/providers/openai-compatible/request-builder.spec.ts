import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CanonicalMessage } from '../../canonical/canonical-request';
import { canonical } from './provider.spec-helpers';
import { buildChatBody } from './request-builder';

const opts = { upstreamModel: 'up', stream: false, supportsImages: true };
const EPH = { type: 'ephemeral' };

void describe('buildChatBody: Anthropic-only parts of a /v1/messages request', () => {
  void it('drops reasoning parts and never leaks cache_control, headers included', () => {
    const messages: CanonicalMessage[] = [
      { role: 'system', content: [{ type: 'text', text: 'sys', cacheControl: EPH }] },
      { role: 'user', content: [{ type: 'text', text: 'q', cacheControl: EPH }, { type: 'image', source: { kind: 'url', url: 'https://x/i.png' }, cacheControl: EPH }] },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'secret thoughts', signature: 'sig' },
          { type: 'redacted_reasoning', data: 'enc' },
          { type: 'text', text: 'Checking.', cacheControl: EPH },
          { type: 'tool_call', id: 'toolu_1', name: 'f', arguments: '{}', cacheControl: EPH },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', toolCallId: 'toolu_1', content: [{ type: 'text', text: 'ok', cacheControl: EPH }], cacheControl: EPH }] },
      { role: 'assistant', content: [{ type: 'reasoning', text: 'only thinking', signature: 's2' }] },
    ];
    const b = buildChatBody(
      canonical({
        messages,
        tools: [{ name: 'f', parameters: { type: 'object' }, cacheControl: EPH }],
        passthrough: { dialect: 'anthropic-messages', fields: {}, headers: { 'anthropic-beta': 'x' } },
      }),
      opts,
    );
    const json = JSON.stringify(b);
    for (const leak of ['cache_control', 'cacheControl', 'ephemeral', 'secret thoughts', 'only thinking', 'sig', 'enc', 'anthropic-beta']) assert.ok(!json.includes(leak), leak);
    assert.deepEqual(b.messages, [
      { role: 'system', content: 'sys' },
      { role: 'user', content: [{ type: 'text', text: 'q' }, { type: 'image_url', image_url: { url: 'https://x/i.png' } }] },
      { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'ok' },
      { role: 'assistant', content: '' },
    ]);
    assert.deepEqual(b.tools, [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }]);
  });
});
