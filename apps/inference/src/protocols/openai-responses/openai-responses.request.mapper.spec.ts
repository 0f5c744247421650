import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError, type TextPart } from '@gw/inference';
import { toCanonical, withHistory } from './openai-responses.request.mapper';
import { validateResponses } from './openai-responses.schema';

const map = (body: unknown) => toCanonical(validateResponses(body));
const parse = (body: unknown) => map(body).canonical;
const text = (t: string): TextPart => ({ type: 'text', text: t });

function rejects(body: unknown, param: string | undefined, message: RegExp): void {
  assert.throws(
    () => parse(body),
    (err: unknown) => err instanceof GatewayError && err.status === 400 && err.param === param && message.test(err.message),
  );
}

const FN = { type: 'function', name: 'exec_command', description: 'run', parameters: { type: 'object', properties: { cmd: { type: 'string' } } }, strict: false };

describe('openai-responses request mapping', () => {
  it('maps every interpreted field and passes the rest through in the openai-responses dialect', () => {
    const c = parse({
      model: 'm',
      input: 'hi',
      instructions: 'be brief',
      tools: [FN],
      tool_choice: { type: 'function', name: 'exec_command' },
      parallel_tool_calls: false,
      max_output_tokens: 10,
      temperature: 0.5,
      top_p: 0.9,
      metadata: { k: 'v' },
      store: true,
      stream: true,
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
      user: 'u1',
      reasoning: { effort: 'low' },
      truncation: 'auto',
      service_tier: 'flex',
    });
    assert.deepEqual(c.messages, [{ role: 'system', content: [text('be brief')] }, { role: 'user', content: [text('hi')] }]);
    assert.deepEqual(c.tools, [{ name: 'exec_command', description: 'run', parameters: FN.parameters, strict: false }]);
    assert.deepEqual(c.toolChoice, { type: 'tool', name: 'exec_command' });
    assert.equal(c.parallelToolCalls, false);
    assert.equal(c.maxTokens, 10);
    assert.deepEqual(c.sampling, { temperature: 0.5, topP: 0.9 });
    assert.deepEqual(c.responseFormat, { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true, description: undefined });
    assert.equal(c.user, 'u1');
    assert.equal(c.stream, true);
    // metadata and store are the gateway's; they are never sent upstream
    assert.deepEqual(c.passthrough, { dialect: 'openai-responses', fields: { reasoning: { effort: 'low' }, truncation: 'auto', service_tier: 'flex' } });
  });

  it('prefers safety_identifier as the end-user id, maps json_object and defaults function parameters', () => {
    const c = parse({ model: 'm', input: 'x', user: 'u', safety_identifier: 's', text: { format: { type: 'json_object' } }, tools: [{ type: 'function', name: 'f' }] });
    assert.equal(c.user, 's');
    assert.deepEqual(c.responseFormat, { type: 'json_object' });
    assert.deepEqual(c.tools, [{ name: 'f', description: undefined, parameters: { type: 'object', properties: {} }, strict: undefined }]);
    assert.equal(c.stream, false);
  });

  it("accepts Codex's body: developer messages, namespace/web_search tools dropped, extras passed through", () => {
    const dev = (t: string) => ({ type: 'message', role: 'developer', content: [{ type: 'input_text', text: t }] });
    const c = parse({
      model: 'm',
      stream: true,
      input: [dev('You are Codex.'), dev('Sandbox.'), { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'env' }] }, { role: 'user', content: 'say hi' }],
      tools: [{ type: 'namespace', name: 'multi_agent_v1', tools: [{ type: 'function', name: 'spawn' }] }, { type: 'web_search' }, FN, { type: 'custom', name: 'apply_patch' }],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      reasoning: { summary: 'auto' },
      store: false,
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: 'pck',
      client_metadata: { x: '1' },
    });
    assert.deepEqual(c.messages.map((m) => m.role), ['developer', 'developer', 'user', 'user']);
    assert.deepEqual(c.messages[3].content, [text('say hi')]);
    assert.deepEqual(c.tools?.map((t) => t.name), ['exec_command']);
    assert.deepEqual(c.toolChoice, { type: 'auto' });
    assert.equal(c.parallelToolCalls, true);
    assert.deepEqual(Object.keys(c.passthrough.fields), ['reasoning', 'include', 'prompt_cache_key', 'client_metadata']);
  });

  it('round-trips a function call loop: call_id is the canonical id; text and calls of one turn merge', () => {
    const c = parse({
      model: 'm',
      input: [
        { role: 'user', content: 'run ls' },
        { id: 'msg_1', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'sure', annotations: [], logprobs: [] }] },
        { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'exec_command', arguments: '{"cmd":"ls"}', status: 'completed' },
        { type: 'function_call', call_id: 'call_2', name: 'exec_command', arguments: '{}' },
        { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'xyz' },
        { type: 'function_call_output', call_id: 'call_1', output: 'Process exited with code 0\ndone\n' },
        { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: 'a' }, { type: 'input_image', image_url: 'https://x/y.png' }] },
      ],
    });
    assert.deepEqual(c.messages[1], {
      role: 'assistant',
      content: [text('sure'), { type: 'tool_call', id: 'call_1', name: 'exec_command', arguments: '{"cmd":"ls"}' }, { type: 'tool_call', id: 'call_2', name: 'exec_command', arguments: '{}' }],
    });
    assert.deepEqual(c.messages[2], { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_1', content: [text('Process exited with code 0\ndone\n')] }] });
    assert.deepEqual(c.messages[3].content[0], {
      type: 'tool_result',
      toolCallId: 'call_2',
      content: [text('a'), { type: 'image', source: { kind: 'url', url: 'https://x/y.png' }, detail: undefined }],
    });
    assert.equal(c.messages.length, 4);
  });

  it('maps images (data URL and https), refusals and system messages', () => {
    const c = parse({
      model: 'm',
      input: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: [{ type: 'input_text', text: 'look' }, { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'low' }] },
        { role: 'assistant', content: [{ type: 'refusal', refusal: 'no' }] },
      ],
    });
    assert.deepEqual(c.messages[0], { role: 'system', content: [text('sys')] });
    assert.deepEqual(c.messages[1].content[1], { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' }, detail: 'low' });
    assert.deepEqual(c.messages[2], { role: 'assistant', content: [text('no')] });
  });

  it('maps tool_choice variants; a choice naming a dropped tool type means auto', () => {
    const choice = (tool_choice: unknown, tools: unknown[] = [FN]) => parse({ model: 'm', input: 'x', tools, tool_choice }).toolChoice;
    assert.deepEqual(choice('required'), { type: 'required' });
    assert.deepEqual(choice('none'), { type: 'none' });
    assert.deepEqual(choice({ type: 'required' }), { type: 'required' });
    assert.deepEqual(choice({ type: 'web_search_preview' }), { type: 'auto' });
    assert.deepEqual(choice({ type: 'function', name: 'apply_patch' }, [FN, { type: 'custom', name: 'apply_patch' }]), { type: 'auto' });
    assert.deepEqual(choice({ type: 'allowed_tools', mode: 'required', tools: [] }), { type: 'required' });
    assert.equal(choice('required', [{ type: 'web_search' }]), undefined); // no function tool left to force
  });

  it('puts stored history after the new instructions; input may be absent with previous_response_id', () => {
    const history = [{ role: 'user' as const, content: [text('My name is Ada.')] }, { role: 'assistant' as const, content: [text('Hi Ada')] }];
    const m = map({ model: 'm', input: 'name?', instructions: 'new rules', previous_response_id: 'resp_1' });
    assert.deepEqual(withHistory(m, history).messages.map((x) => x.content[0]), [text('new rules'), text('My name is Ada.'), text('Hi Ada'), text('name?')]);
    assert.deepEqual(m.input, [{ role: 'user', content: [text('name?')] }]);
    assert.deepEqual(map({ model: 'm', previous_response_id: 'resp_1' }).input, []);
  });

  it('names the offending field in 400s', () => {
    rejects({ input: 'x' }, 'model', /Missing required parameter: 'model'/);
    rejects({ model: 'm' }, 'input', /Missing required parameter: 'input'/);
    rejects({ model: 'm', input: [] }, 'input', /at least one/);
    rejects({ model: 'm', input: 5 }, 'input', /expected string or array/);
    rejects({ model: 'm', input: [{ role: 'robot', content: 'x' }] }, 'input[0].role', /expected one of/);
    rejects({ model: 'm', input: [{ content: 'x' }] }, 'input[0].role', /Missing required parameter/);
    rejects({ model: 'm', input: ['x', { role: 'user', content: [{ type: 'input_text', text: 'a' }, 'b'] }] }, 'input[0]', /expected object/);
    rejects({ model: 'm', input: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }, { role: 'user', content: [{ type: 'input_audio' }] }] }, 'input[2].content[0].type', /'input_audio' is not supported/);
    rejects({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_text' }] }] }, 'input[0].content[0].text', /Missing required/);
    rejects({ model: 'm', input: [{ role: 'user', content: [{ type: 'output_text', text: 'x' }] }] }, 'input[0].content[0].type', /outside an assistant/);
    rejects({ model: 'm', input: [{ role: 'system', content: [{ type: 'input_image', image_url: 'https://x' }] }] }, 'input[0].content[0].type', /input_image/);
    rejects({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1' }] }] }, 'input[0].content[0].file_id', /not supported/);
    rejects({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'ftp://x' }] }] }, 'input[0].content[0].image_url', /http\(s\)/);
    rejects({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_image' }] }] }, 'input[0].content[0].image_url', /Missing/);
    rejects({ model: 'm', input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }, 'input[0].call_id', /Missing required parameter: 'input\[0\].call_id'/);
    rejects({ model: 'm', input: [{ type: 'function_call_output', call_id: 'c', output: 3 }] }, 'input[0].output', /expected string or array/);
    rejects({ model: 'm', input: [{ type: 'item_reference', id: 'msg_1' }] }, 'input[0].type', /input item type 'item_reference' is not supported/);
    rejects({ model: 'm', input: 'x', temperature: 3 }, 'temperature', /Expected a value <= 2, but got 3/);
    rejects({ model: 'm', input: 'x', top_p: -1 }, 'top_p', /Expected a value >= 0, but got -1/);
    rejects({ model: 'm', input: 'x', max_output_tokens: 0 }, 'max_output_tokens', /Expected a value >= 1, but got 0/);
    rejects({ model: 'm', input: 'x', tools: [{ type: 'function' }] }, 'tools[0].name', /Missing required/);
    rejects({ model: 'm', input: 'x', tool_choice: 'sometimes' }, 'tool_choice', /expected one of/);
    rejects({ model: 'm', input: 'x', tools: [FN], tool_choice: { type: 'function', name: 'nope' } }, 'tool_choice.name', /no function tool named 'nope'/);
    rejects({ model: 'm', input: 'x', text: { format: { type: 'json_schema', name: 'n' } } }, 'text.format.schema', /Missing/);
    rejects({ model: 'm', input: 'x', metadata: { k: 1 } }, 'metadata.k', /expected string/);
    rejects([1], undefined, /JSON object/);
  });
});
