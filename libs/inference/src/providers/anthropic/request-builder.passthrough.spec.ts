import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CanonicalMessage, CanonicalRequest } from '../../canonical/canonical-request';
import { GatewayError } from '../../errors/gateway-error';
import { betaHeader } from './anthropic-beta';
import { canonical } from './anthropic.spec-helpers';
import { MID_CONVERSATION_SYSTEM_MARKER as MARK } from './message-mapper';
import { buildCountTokensBody, buildMessagesBody } from './request-builder';

const opts = { upstreamModel: 'claude-up', stream: false, supportsImages: true, defaultMaxTokens: 4096 };
const build = (over: Partial<CanonicalRequest>) => buildMessagesBody(canonical(over), opts);
const EPH = { type: 'ephemeral' };
const H1 = { type: 'ephemeral', ttl: '1h' };

void describe('buildMessagesBody: prompt caching', () => {
  void it('sends cache_control on system blocks, text, images, tool_use, tool_result (and inside it) and tools, for any dialect', () => {
    const messages: CanonicalMessage[] = [
      { role: 'system', content: [{ type: 'text', text: 'sys', cacheControl: H1 }, { type: 'text', text: 'more' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'look', cacheControl: EPH },
          { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AA==' }, cacheControl: EPH },
          { type: 'image', source: { kind: 'url', url: 'data:image/png;base64,BB==' }, cacheControl: EPH },
        ],
      },
      { role: 'assistant', content: [{ type: 'tool_call', id: 'toolu_1', name: 'f', arguments: '{}', cacheControl: EPH }] },
      { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'toolu_1', content: [{ type: 'text', text: 'r', cacheControl: EPH }], cacheControl: H1 }] },
    ];
    const tools = [{ name: 'f', parameters: { type: 'object' }, cacheControl: H1 }, { name: 'g', parameters: { type: 'object' } }];
    for (const dialect of ['anthropic-messages', 'openai-chat'] as const) {
      const b = build({ messages, tools, passthrough: { dialect, fields: {} } });
      assert.deepEqual(b.system, [{ type: 'text', text: 'sys', cache_control: H1 }, { type: 'text', text: 'more' }]);
      assert.deepEqual(b.messages[0].content, [
        { type: 'text', text: 'look', cache_control: EPH },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AA==' }, cache_control: EPH },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'BB==' }, cache_control: EPH },
      ]);
      assert.deepEqual(b.messages[1].content, [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: {}, cache_control: EPH }]);
      assert.deepEqual(b.messages[2].content, [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'r', cache_control: EPH }], cache_control: H1 }]);
      assert.deepEqual(b.tools, [
        { name: 'f', input_schema: { type: 'object' }, cache_control: H1 },
        { name: 'g', input_schema: { type: 'object' } },
      ]);
      // count_tokens takes cache_control too (Anthropic counts the same prompt).
      assert.deepEqual(buildCountTokensBody(canonical({ messages, tools }), opts).tools, b.tools);
    }
  });

  void it('keeps the last marker of a mid-conversation system message on its joined block', () => {
    const b = build({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'hi' }] },
        { role: 'system', content: [{ type: 'text', text: 'a', cacheControl: EPH }, { type: 'text', text: 'b', cacheControl: H1 }, { type: 'text', text: 'c' }] },
        { role: 'system', content: [{ type: 'text', text: 'plain' }] },
      ],
    });
    assert.deepEqual(b.messages[0].content, [
      { type: 'text', text: 'hi' },
      { type: 'text', text: `${MARK}a\nb\nc`, cache_control: H1 },
      { type: 'text', text: `${MARK}plain` },
    ]);
  });
});

void describe('buildMessagesBody: thinking replay', () => {
  void it('sends reasoning parts back as thinking blocks where they stood, signatures and empty text kept', () => {
    const b = build({
      passthrough: { dialect: 'anthropic-messages', fields: { thinking: { type: 'enabled', budget_tokens: 1024 } } },
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'Let me think.', signature: 'sig_1' },
            { type: 'redacted_reasoning', data: 'enc==' },
            { type: 'reasoning', text: '', signature: 'sig_omitted' },
            { type: 'reasoning', text: 'unsigned' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_call', id: 'toolu_1', name: 'f', arguments: '{"a":1}' },
          ],
        },
        { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'toolu_1', content: [{ type: 'text', text: 'ok' }] }] },
      ],
    });
    assert.deepEqual(b.messages[1].content, [
      { type: 'thinking', thinking: 'Let me think.', signature: 'sig_1' },
      { type: 'redacted_thinking', data: 'enc==' },
      { type: 'thinking', thinking: '', signature: 'sig_omitted' },
      { type: 'thinking', thinking: 'unsigned' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: 1 } },
    ]);
  });

  void it('rejects reasoning outside assistant messages', () => {
    const messages: CanonicalMessage[] = [{ role: 'user', content: [{ type: 'reasoning', text: 'x' }] }];
    assert.throws(() => build({ messages }), (e: unknown) => e instanceof GatewayError && e.status === 400 && /Only assistant/.test(e.message));
  });
});

void describe('betaHeader', () => {
  const messages = (beta?: string): CanonicalRequest => canonical({ passthrough: { dialect: 'anthropic-messages', fields: {}, ...(beta !== undefined && { headers: { 'anthropic-beta': beta } }) } });

  void it('joins the configured betas and the caller\'s, deduplicated, configured first', () => {
    assert.equal(betaHeader('context-management-2025-06-27', messages(' interleaved-thinking-2025-05-14 , context-management-2025-06-27,,')), 'context-management-2025-06-27,interleaved-thinking-2025-05-14');
    assert.equal(betaHeader(undefined, messages('a,b')), 'a,b');
    assert.equal(betaHeader('x, y', messages()), 'x,y');
    assert.equal(betaHeader(undefined, messages()), undefined);
    assert.equal(betaHeader('', messages(' , ')), undefined);
  });

  void it('takes the caller\'s only on the anthropic-messages dialect, and never an auth beta', () => {
    const chat = canonical({ passthrough: { dialect: 'openai-chat', fields: {}, headers: { 'anthropic-beta': 'a' } } });
    assert.equal(betaHeader('cfg', chat), 'cfg');
    assert.equal(betaHeader(undefined, messages('oauth-2025-04-20,claude-code-20250219')), 'claude-code-20250219');
  });
});
