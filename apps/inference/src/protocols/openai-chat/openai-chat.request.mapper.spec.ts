import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '@gw/inference';
import { toCanonical } from './openai-chat.request.mapper';
import { validateChatCompletion } from './openai-chat.schema';

const parse = (body: unknown) => toCanonical(validateChatCompletion(body));

function rejects(body: unknown, param: string | undefined, message: RegExp): void {
  assert.throws(
    () => parse(body),
    (err: unknown) => err instanceof GatewayError && err.status === 400 && err.param === param && message.test(err.message),
  );
}

describe('openai-chat request mapping', () => {
  it('maps every interpreted field and passes unknown fields through', () => {
    const c = parse({
      model: 'm',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'done' },
      ],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      temperature: 0.5, top_p: 0.9, seed: 3, presence_penalty: 1, frequency_penalty: -1,
      max_tokens: 10, stop: 'END', user: 'u1', stream: true, response_format: { type: 'json_object' },
      logit_bias: { 50256: -100 }, reasoning_effort: 'low',
    });
    assert.deepEqual(c.messages[1].content[1], { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' }, detail: 'low' });
    assert.deepEqual(c.messages[2].content, [{ type: 'tool_call', id: 'c1', name: 'f', arguments: '{"a":1}' }]);
    assert.deepEqual(c.messages[3], { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'c1', content: [{ type: 'text', text: 'done' }] }] });
    assert.deepEqual(c.toolChoice, { type: 'tool', name: 'f' });
    assert.deepEqual(c.sampling, { temperature: 0.5, topP: 0.9, seed: 3, presencePenalty: 1, frequencyPenalty: -1 });
    assert.equal(c.maxTokens, 10);
    assert.deepEqual(c.stop, ['END']);
    assert.equal(c.stream, true);
    assert.deepEqual(c.responseFormat, { type: 'json_object' });
    assert.deepEqual(c.passthrough, { dialect: 'openai-chat', fields: { logit_bias: { 50256: -100 }, reasoning_effort: 'low' } });
  });

  it('prefers max_completion_tokens over max_tokens', () => {
    assert.equal(parse({ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 5, max_completion_tokens: 7 }).maxTokens, 7);
  });

  it('names the offending field in 400s', () => {
    rejects({ messages: [] }, 'model', /Missing required parameter: 'model'/);
    rejects({ model: 'm', messages: 'hi' }, 'messages', /expected array/);
    rejects({ model: 'm', messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role', /expected one of/);
    rejects({ model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 3 }, 'temperature', /^Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead.$/);
    rejects({ model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 'hot' }, 'temperature', /expected number or null/);
    rejects({ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 0 }, 'max_tokens', /integer below minimum value. Expected a value >= 1, but got 0/);
    rejects({ model: 'm', messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id', /tool_call_id/);
    rejects({ model: 'm', messages: [{ role: 'user', content: [{ type: 'input_audio' }] }] }, 'messages[0].content[0].type', /not supported/);
    rejects({ model: 'm', messages: [{ role: 'user', content: 'x' }], n: 2 }, 'n', /only n=1/);
    rejects({ model: 'm', messages: [{ role: 'user', content: 'x' }], tool_choice: 'sometimes' }, 'tool_choice', /expected/);
    rejects([1, 2], undefined, /JSON object/);
  });
});
