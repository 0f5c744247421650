import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CanonicalMessage, CanonicalRequest } from '../../canonical/canonical-request';
import { GatewayError } from '../../errors/gateway-error';
import { canonical } from './anthropic.spec-helpers';
import { MID_CONVERSATION_SYSTEM_MARKER as MARK } from './message-mapper';
import { buildCountTokensBody, buildMessagesBody } from './request-builder';

const opts = { upstreamModel: 'claude-up', stream: false, supportsImages: true, defaultMaxTokens: 4096 };
const build = (over: Partial<CanonicalRequest>, o: Partial<typeof opts> = {}) => buildMessagesBody(canonical(over), { ...opts, ...o });
const text = (role: CanonicalMessage['role'], t: string): CanonicalMessage => ({ role, content: [{ type: 'text', text: t }] });
const WEATHER = { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true };

void describe('buildMessagesBody: conversation', () => {
  void it('puts leading system/developer messages in `system` and marks mid-conversation ones as user text', () => {
    const b = build({
      messages: [text('system', 'be brief'), text('developer', 'use metric'), text('user', 'hi'), text('assistant', 'hello'), text('system', 'env: linux'), text('user', 'weather?')],
    });
    assert.deepEqual(b.system, [
      { type: 'text', text: 'be brief' },
      { type: 'text', text: 'use metric' },
    ]);
    assert.deepEqual(b.messages, [
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'hello' }] },
      { role: 'user', content: [{ type: 'text', text: `${MARK}env: linux` }, { type: 'text', text: 'weather?' }] },
    ]);
    assert.equal(b.model, 'claude-up');
    assert.equal(b.max_tokens, 4096);
    assert.equal(b.stream, false);
  });

  void it('merges consecutive same-role turns, drops empty text, and omits `system` when there is none', () => {
    const b = build({ messages: [text('user', 'a'), text('user', 'b'), text('assistant', ''), text('assistant', 'c'), text('assistant', 'd'), text('user', 'e'), text('system', 'late')] });
    assert.equal(b.system, undefined);
    assert.deepEqual(
      b.messages.map((m) => [m.role, m.content.map((c) => (c.type === 'text' ? c.text : c.type))]),
      [
        ['user', ['a', 'b']],
        ['assistant', ['c', 'd']],
        ['user', ['e', `${MARK}late`]],
      ],
    );
  });

  void it('round-trips tool calls and results with their ids, tool results first in the user turn', () => {
    const b = build({
      tools: [WEATHER],
      messages: [
        text('user', 'weather in Oslo and Rome?'),
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'checking' },
            { type: 'tool_call', id: 'call_A1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
            { type: 'tool_call', id: 'toolu_B2', name: 'get_weather', arguments: '{"city": trunc' },
          ],
        },
        text('system', 'tools may be slow'),
        { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_A1', content: [{ type: 'text', text: 'cold' }] }] },
        {
          role: 'tool',
          content: [
            {
              type: 'tool_result',
              toolCallId: 'toolu_B2',
              isError: true,
              content: [{ type: 'text', text: 'failed' }, { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' } }],
            },
          ],
        },
        { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_C3', content: [] }] },
      ],
    });
    assert.deepEqual(b.messages[1], {
      role: 'assistant',
      content: [
        { type: 'text', text: 'checking' },
        { type: 'tool_use', id: 'call_A1', name: 'get_weather', input: { city: 'Oslo' } },
        { type: 'tool_use', id: 'toolu_B2', name: 'get_weather', input: {} },
      ],
    });
    assert.deepEqual(b.messages[2], {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'call_A1', content: [{ type: 'text', text: 'cold' }] },
        {
          type: 'tool_result',
          tool_use_id: 'toolu_B2',
          is_error: true,
          content: [{ type: 'text', text: 'failed' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }],
        },
        { type: 'tool_result', tool_use_id: 'call_C3' },
        { type: 'text', text: `${MARK}tools may be slow` },
      ],
    });
    assert.equal(b.messages.length, 3);
  });

  void it('maps images (base64, url, data URL) and rejects what Anthropic cannot take', () => {
    const b = build({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: '/9j/' } },
            { type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' }, detail: 'low' },
            { type: 'image', source: { kind: 'url', url: 'data:image/webp;base64,UklGR' } },
          ],
        },
      ],
    });
    assert.deepEqual(b.messages[0].content, [
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'UklGR' } },
    ]);
    const img = { type: 'image' as const, source: { kind: 'url' as const, url: 'https://example.com/a.png' } };
    const invalid = (over: Partial<CanonicalRequest>, o: Partial<typeof opts>, re: RegExp) =>
      assert.throws(() => build(over, o), (e: unknown) => e instanceof GatewayError && e.status === 400 && re.test(e.message));
    invalid({ messages: [{ role: 'user', content: [img] }] }, { supportsImages: false }, /'abliterated-model' does not support image/);
    invalid({ messages: [{ role: 'system', content: [img] }, text('user', 'x')] }, {}, /only contain text/);
    invalid({ messages: [{ role: 'user', content: [{ type: 'tool_call', id: 'c', name: 'n', arguments: '{}' }] }] }, {}, /Only assistant/);
    invalid({ messages: [{ role: 'user', content: [{ type: 'image', source: { kind: 'url', url: 'data:image/png,raw' } }] }] }, {}, /base64/);
  });
});

void describe('buildMessagesBody: parameters and passthrough', () => {
  void it('maps tools, tool_choice and parallel tool calls', () => {
    const b = build({ tools: [WEATHER, { name: 'noargs', parameters: {} }], toolChoice: { type: 'tool', name: 'get_weather' }, parallelToolCalls: false });
    assert.deepEqual(b.tools, [
      { name: 'get_weather', description: 'Weather', input_schema: WEATHER.parameters },
      { name: 'noargs', input_schema: { type: 'object' } },
    ]);
    assert.deepEqual(b.tool_choice, { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true });
    const choice = (over: Partial<CanonicalRequest>) => build({ tools: [WEATHER], ...over }).tool_choice;
    assert.deepEqual(choice({ toolChoice: { type: 'required' } }), { type: 'any' });
    assert.deepEqual(choice({ toolChoice: { type: 'none' }, parallelToolCalls: false }), { type: 'none' });
    assert.deepEqual(choice({ toolChoice: { type: 'auto' } }), { type: 'auto' });
    assert.deepEqual(choice({ parallelToolCalls: false }), { type: 'auto', disable_parallel_tool_use: true });
    assert.equal(choice({}), undefined);
    assert.equal(build({ toolChoice: { type: 'required' } }).tool_choice, undefined);
    const native = build({ tools: [WEATHER], passthrough: { dialect: 'anthropic-messages', fields: {} } });
    assert.equal((native.tools as Array<{ strict?: boolean }>)[0].strict, true);
  });

  void it('maps sampling, stop, max_tokens and user; drops what Anthropic lacks', () => {
    const b = build({
      sampling: { temperature: 1.7, topP: 0.9, topK: 40, seed: 7, presencePenalty: 0.1, frequencyPenalty: 0.2 },
      stop: ['END', '###'],
      maxTokens: 99,
      user: 'user-42',
    });
    assert.deepEqual([b.temperature, b.top_p, b.top_k, b.max_tokens], [1.7, 0.9, 40, 99]);
    assert.deepEqual(b.stop_sequences, ['END', '###']);
    assert.deepEqual(b.metadata, { user_id: 'user-42' });
    for (const k of ['seed', 'presence_penalty', 'frequency_penalty', 'stop', 'user']) assert.equal(b[k], undefined, k);
    assert.equal(build({}, { defaultMaxTokens: 321 }).max_tokens, 321);
  });

  void it('forwards Anthropic-only fields verbatim for the anthropic dialect, never over the gateway-owned ones', () => {
    const fields = {
      thinking: { type: 'adaptive', display: 'omitted' },
      context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
      output_config: { effort: 'medium' },
      service_tier: 'auto',
      container: 'cntr_1',
      future_field: { x: 1 },
      metadata: { extra: 'kept' },
      model: 'evil',
      messages: [],
      stream: true,
      system: 'evil',
      tools: [],
      tool_choice: { type: 'any' },
      max_tokens: 100_000,
    };
    const b = build({ passthrough: { dialect: 'anthropic-messages', fields }, maxTokens: 50, user: 'u1', messages: [text('system', 's'), text('user', 'q')] });
    for (const k of ['thinking', 'context_management', 'output_config', 'service_tier', 'container', 'future_field'] as const) assert.deepEqual(b[k], fields[k], k);
    assert.deepEqual([b.model, b.stream, b.max_tokens, b.tools, b.tool_choice], ['claude-up', false, 50, undefined, undefined]);
    assert.deepEqual(b.system, [{ type: 'text', text: 's' }]);
    assert.equal(b.messages.length, 1);
    assert.deepEqual(b.metadata, { extra: 'kept', user_id: 'u1' });
    const other = build({ passthrough: { dialect: 'openai-chat', fields: { thinking: { type: 'enabled' }, context_management: {}, logit_bias: {} } } });
    assert.deepEqual([other.thinking, other.context_management, other.logit_bias], [undefined, undefined, undefined]);
  });

  void it('turns response_format into a final system instruction unless the caller set a native format', () => {
    const schema = { type: 'object', properties: { a: { type: 'number' } } };
    const b = build({ messages: [text('system', 's'), text('user', 'q')], responseFormat: { type: 'json_schema', name: 'out', schema } });
    assert.equal(b.system?.length, 2);
    assert.match(b.system[1].text, /single valid JSON value/);
    assert.ok(b.system[1].text.includes(JSON.stringify(schema)));
    assert.match(build({ responseFormat: { type: 'json_object' } }).system![0].text, /JSON object/);
    assert.equal(build({ responseFormat: { type: 'text' } }).system, undefined);
    const native = { dialect: 'anthropic-messages' as const, fields: { output_config: { format: { type: 'json_schema', schema } } } };
    assert.equal(build({ responseFormat: { type: 'json_schema', name: 'out', schema }, passthrough: native }).system, undefined);
  });

  void it('builds a count_tokens body with only the fields that endpoint accepts', () => {
    const req = canonical({
      messages: [text('system', 's'), text('user', 'q')],
      tools: [WEATHER],
      toolChoice: { type: 'auto' },
      sampling: { temperature: 0.5 },
      stop: ['x'],
      user: 'u',
      passthrough: { dialect: 'anthropic-messages', fields: { thinking: { type: 'enabled', budget_tokens: 1024 }, service_tier: 'auto' } },
    });
    const b = buildCountTokensBody(req, { upstreamModel: 'claude-up', supportsImages: true, defaultMaxTokens: 10 });
    assert.deepEqual(Object.keys(b).sort(), ['messages', 'model', 'system', 'thinking', 'tool_choice', 'tools']);
  });
});
