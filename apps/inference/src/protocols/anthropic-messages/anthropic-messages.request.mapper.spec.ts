import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '@gw/inference';
import { parseMessages } from './anthropic-messages.adapter';

const parse = (body: unknown, defaultMaxTokens = 4096) => parseMessages(body, defaultMaxTokens);
const user = (content: unknown) => ({ role: 'user', content });

function rejects(body: unknown, param: string | undefined, message: RegExp): void {
  assert.throws(
    () => parse(body),
    (err: unknown) => {
      assert.ok(err instanceof GatewayError, String(err));
      assert.equal(err.status, 400);
      assert.equal(err.param, param);
      assert.match(err.message, message);
      return true;
    },
  );
}

/** Shaped like Claude Code 2.1.330's first call (trimmed from ~49 KB). */
const CLAUDE_CODE_BODY = {
  model: 'claude-opus-5-5',
  max_tokens: 128000,
  stream: true,
  system: [
    { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.330' },
    { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
    { type: 'text', text: 'Tool usage policy…', cache_control: { type: 'ephemeral', ttl: '1h' } },
  ],
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }] },
    { role: 'system', content: '<env>cwd: /tmp</env>' },
    { role: 'user', content: 'list files' },
  ],
  tools: [
    { name: 'Bash', description: 'Run a command', input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } },
    { name: 'Read', description: 'Read a file', input_schema: { type: 'object', properties: { path: { type: 'string' } } }, cache_control: { type: 'ephemeral' } },
    { type: 'custom', name: 'ToolSearch', input_schema: { type: 'object' } },
    { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
  ],
  metadata: { user_id: '{"device_id":"abc","session_id":"s1"}' },
  thinking: { type: 'adaptive', display: 'omitted' },
  context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
  output_config: { effort: 'medium' },
};

describe('anthropic-messages request mapping', () => {
  it('maps a Claude-Code-shaped body: system blocks, mid-conversation system, tools, passthrough, user', () => {
    const c = parse(CLAUDE_CODE_BODY);
    assert.equal(c.model, 'claude-opus-5-5');
    assert.equal(c.maxTokens, 128000);
    assert.equal(c.stream, true);
    assert.deepEqual(c.messages, [
      {
        role: 'system',
        content: [
          { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.330' },
          { type: 'text', text: 'You are Claude Code.', cacheControl: { type: 'ephemeral' } },
          { type: 'text', text: 'Tool usage policy…', cacheControl: { type: 'ephemeral', ttl: '1h' } },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'hi', cacheControl: { type: 'ephemeral' } }] },
      { role: 'system', content: [{ type: 'text', text: '<env>cwd: /tmp</env>' }] },
      { role: 'user', content: [{ type: 'text', text: 'list files' }] },
    ]);
    // The server tool is accepted and not sent upstream; `custom` is an ordinary tool.
    assert.deepEqual(
      c.tools?.map((t) => t.name),
      ['Bash', 'Read', 'ToolSearch'],
    );
    assert.deepEqual(c.tools?.[0], {
      name: 'Bash',
      description: 'Run a command',
      parameters: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
    });
    assert.deepEqual(c.tools?.[1].cacheControl, { type: 'ephemeral' });
    assert.equal(c.user, '{"device_id":"abc","session_id":"s1"}');
    assert.deepEqual(c.passthrough, {
      dialect: 'anthropic-messages',
      fields: { thinking: CLAUDE_CODE_BODY.thinking, context_management: CLAUDE_CODE_BODY.context_management, output_config: CLAUDE_CODE_BODY.output_config },
    });
  });

  it('maps sampling, stop sequences, tool_choice and the max_tokens default', () => {
    const base = { model: 'm', messages: [user('x')] };
    const c = parse({ ...base, temperature: 0.7, top_p: 0.9, top_k: 40, stop_sequences: ['END', '###'], max_tokens: 7, stream: false });
    assert.deepEqual(c.sampling, { temperature: 0.7, topP: 0.9, topK: 40 });
    assert.deepEqual(c.stop, ['END', '###']);
    assert.equal(c.maxTokens, 7);
    assert.equal(c.stream, false);
    assert.equal(parse(base, 1234).maxTokens, 1234);
    assert.equal(parse({ ...base, stop_sequences: [] }).stop, undefined);

    const tools = [{ name: 'f', input_schema: { type: 'object' } }];
    assert.deepEqual(parse({ ...base, tools, tool_choice: { type: 'auto' } }).toolChoice, { type: 'auto' });
    assert.deepEqual(parse({ ...base, tools, tool_choice: { type: 'none' } }).toolChoice, { type: 'none' });
    const any = parse({ ...base, tools, tool_choice: { type: 'any', disable_parallel_tool_use: true } });
    assert.deepEqual(any.toolChoice, { type: 'required' });
    assert.equal(any.parallelToolCalls, false);
    const named = parse({ ...base, tools, tool_choice: { type: 'tool', name: 'f' } });
    assert.deepEqual(named.toolChoice, { type: 'tool', name: 'f' });
    assert.equal(named.parallelToolCalls, undefined);
  });

  it('passes every unmodelled field through under the anthropic-messages dialect', () => {
    const extra = { service_tier: 'auto', container: 'c1', mcp_servers: [{ type: 'url', url: 'https://x', name: 'x' }], flagged_categories: ['hate'], future_field: 1 };
    const c = parse({ model: 'm', messages: [user('x')], metadata: { user_id: 'u' }, ...extra });
    assert.deepEqual(c.passthrough, { dialect: 'anthropic-messages', fields: extra });
  });

  it('keeps tool ids through a tool_use → tool_result round trip, and earlier thinking verbatim', () => {
    const c = parse({
      model: 'm',
      messages: [
        user('run it'),
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 'sig' },
            { type: 'redacted_thinking', data: 'opaque' },
            { type: 'text', text: 'Running.' },
            { type: 'tool_use', id: 'toolu_01A', name: 'Bash', input: { command: 'ls', flags: ['-l'] } },
            { type: 'tool_use', id: 'toolu_01B', name: 'Read', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01A', content: 'done', is_error: false, cache_control: { type: 'ephemeral' } },
            { type: 'tool_result', tool_use_id: 'toolu_01B', content: [{ type: 'text', text: 'no such file' }], is_error: true },
            { type: 'tool_result', tool_use_id: 'toolu_01C' },
            { type: 'text', text: 'continue' },
          ],
        },
      ],
    });
    assert.deepEqual(c.messages[1], {
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'hmm', signature: 'sig' },
        { type: 'redacted_reasoning', data: 'opaque' },
        { type: 'text', text: 'Running.' },
        { type: 'tool_call', id: 'toolu_01A', name: 'Bash', arguments: '{"command":"ls","flags":["-l"]}' },
        { type: 'tool_call', id: 'toolu_01B', name: 'Read', arguments: '{}' },
      ],
    });
    assert.deepEqual(c.messages[2], {
      role: 'user',
      content: [
        { type: 'tool_result', toolCallId: 'toolu_01A', content: [{ type: 'text', text: 'done' }], isError: false, cacheControl: { type: 'ephemeral' } },
        { type: 'tool_result', toolCallId: 'toolu_01B', content: [{ type: 'text', text: 'no such file' }], isError: true },
        { type: 'tool_result', toolCallId: 'toolu_01C', content: [] },
        { type: 'text', text: 'continue' },
      ],
    });
  });

  it('maps base64 and URL images, in messages and inside tool results', () => {
    const b64 = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } };
    const url = { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } };
    const c = parse({ model: 'm', messages: [user([{ type: 'text', text: 'look' }, b64, url, { type: 'tool_result', tool_use_id: 't', content: [url] }])] });
    assert.deepEqual(c.messages[0].content, [
      { type: 'text', text: 'look' },
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.jpg' } },
      { type: 'tool_result', toolCallId: 't', content: [{ type: 'image', source: { kind: 'url', url: 'https://example.com/cat.jpg' } }] },
    ]);
  });

  it('names the offending field in 400s, Anthropic style', () => {
    const ok = { model: 'm', messages: [user('x')] };
    rejects([1], undefined, /JSON object/);
    rejects({ messages: [user('x')] }, 'model', /^model: Field required$/);
    rejects({ model: 'm' }, 'messages', /^messages: Field required$/);
    rejects({ model: 'm', messages: [] }, 'messages', /at least 1 item/);
    rejects({ model: 'm', messages: [{ role: 'robot', content: 'x' }] }, 'messages.0.role', /'robot'.*'user', 'assistant', 'system'/);
    rejects({ model: 'm', messages: [{ role: 'user' }] }, 'messages.0.content', /Field required/);
    rejects({ model: 'm', messages: [user(5)] }, 'messages.0.content', /string or array/);
    rejects({ model: 'm', messages: [user('x'), { role: 'assistant', content: [{ type: 'document', source: {} }] }] }, 'messages.1.content.0.type', /'document' is not supported.*'text', 'tool_use'/);
    rejects({ model: 'm', messages: [user([{ type: 'tool_use', id: 'a', name: 'b', input: {} }])] }, 'messages.0.content.0.type', /'tool_use' is not supported.*'tool_result'/);
    rejects({ model: 'm', messages: [{ role: 'assistant', content: [{ type: 'tool_result', tool_use_id: 'a' }] }] }, 'messages.0.content.0.type', /'tool_result'/);
    rejects({ model: 'm', messages: [user([{ type: 'text' }])] }, 'messages.0.content.0.text', /Field required/);
    rejects({ model: 'm', messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'b', input: '{}' }] }] }, 'messages.0.content.0.input', /of type object/);
    rejects({ model: 'm', messages: [user([{ type: 'image', source: { type: 'base64', media_type: 'image/bmp', data: 'x' } }])] }, 'messages.0.content.0.source.media_type', /'image\/png'/);
    rejects({ model: 'm', messages: [user([{ type: 'image', source: { type: 'file', file_id: 'f' } }])] }, 'messages.0.content.0.source.type', /'file'.*'base64', 'url'/);
    rejects({ model: 'm', messages: [user([{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'server_tool_use' }] }])] }, 'messages.0.content.0.content.0.type', /'server_tool_use'/);
    rejects({ ...ok, system: [{ type: 'image' }] }, 'system.0.type', /'image'.*'text'/);
    rejects({ ...ok, max_tokens: 0 }, 'max_tokens', /greater than or equal to 1/);
    rejects({ ...ok, max_tokens: 1.5 }, 'max_tokens', /of type integer or null/);
    rejects({ ...ok, temperature: 2.5 }, 'temperature', /less than or equal to 2/); // 0-2, as on the OpenAI surfaces
    rejects({ ...ok, top_p: -0.1 }, 'top_p', /greater than or equal to 0/);
    rejects({ ...ok, top_k: -1 }, 'top_k', /greater than or equal to 0/);
    rejects({ ...ok, stop_sequences: [1] }, 'stop_sequences.0', /of type string/);
    rejects({ ...ok, metadata: { user_id: 7 } }, 'metadata.user_id', /of type string or null/);
    rejects({ ...ok, tools: [{ name: 'f' }] }, 'tools.0.input_schema', /Field required/);
    rejects({ ...ok, tools: [{ name: 'bad name', input_schema: {} }] }, 'tools.0.name', /pattern/);
    rejects({ ...ok, tool_choice: { type: 'sometimes' } }, 'tool_choice.type', /'auto', 'any', 'none', 'tool'/);
    rejects({ ...ok, tool_choice: { type: 'tool' } }, 'tool_choice.name', /Field required/);
    rejects({ ...ok, tool_choice: { type: 'tool', name: 'nope' } }, 'tool_choice.name', /no tool named 'nope'/);
    rejects({ ...ok, tools: [{ type: 'web_search_20250305', name: 'web_search' }], tool_choice: { type: 'tool', name: 'web_search' } }, 'tool_choice.name', /server tool/);
  });
});
