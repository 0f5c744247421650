import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CompletionResult } from '@gw/inference';
import { echoOf, toResponse } from './openai-responses.response.mapper';
import type { ResponsesBody } from './openai-responses.schema';

const result = (over: Partial<CompletionResult> = {}): CompletionResult => ({
  upstreamModel: 'u',
  modelId: 'abliterated-model',
  text: 'Hello',
  toolCalls: [],
  finishReason: 'end_turn',
  usage: { inputTokens: 14, outputTokens: 10, cachedInputTokens: 4 },
  ...over,
});

function ids() {
  let n = 0;
  return (p: string) => `${p}${++n}`;
}

const body = (over: Partial<ResponsesBody> = {}) => echoOf({ model: 'abliteration-model', ...over }, 'resp_1', 100, false);

describe('openai-responses response mapping', () => {
  it('builds the response object: echo of the request, a message item, usage details and the credit fields', () => {
    const tools = [{ type: 'web_search' }, { type: 'function', name: 'f' }];
    const echo = echoOf(
      { model: 'abliteration-model', instructions: 'be kind', max_output_tokens: 50, temperature: 0.2, top_p: 0.5, tools, tool_choice: 'required', metadata: { k: 'v' }, user: 'u1', previous_response_id: 'resp_0', parallel_tool_calls: false, text: { verbosity: 'low' } },
      'resp_1',
      100,
      true,
    );
    const res = toResponse(result({ charge: { remainingCredits: 487, creditsUsed: 1, costUsd: 0.00012 } }), echo, ids());
    assert.deepEqual(res, {
      id: 'resp_1',
      object: 'response',
      created_at: 100,
      status: 'completed',
      error: null,
      incomplete_details: null,
      model: 'abliteration-model', // the caller's name, not the catalogue id
      instructions: 'be kind',
      max_output_tokens: 50,
      parallel_tool_calls: false,
      previous_response_id: 'resp_0',
      store: true,
      temperature: 0.2,
      text: { verbosity: 'low', format: { type: 'text' } },
      tool_choice: 'required',
      tools,
      top_p: 0.5,
      user: 'u1',
      safety_identifier: null,
      metadata: { k: 'v' },
      output: [{ id: 'msg_1', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello', annotations: [], logprobs: [] }] }],
      reasoning: { effort: null, summary: null },
      truncation: 'disabled',
      usage: { input_tokens: 14, input_tokens_details: { cached_tokens: 4 }, output_tokens: 10, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 24 },
      remaining_credits: 487,
      estimated_credits_used: 1,
      estimated_cost_usd: 0.00012,
    });
    assert.ok(!('output_text' in res), 'output_text is derived by the SDKs, not sent');
  });

  it('emits one function_call item per call (call_id = canonical id) and no message without text', () => {
    const res = toResponse(result({ text: '', toolCalls: [{ id: 'call_1', name: 'f', arguments: '{"a":1}' }, { id: 'call_2', name: 'g', arguments: '{}' }], finishReason: 'tool_use' }), body(), ids());
    assert.equal(res.status, 'completed');
    assert.deepEqual(res.output, [
      { id: 'fc_1', type: 'function_call', status: 'completed', call_id: 'call_1', name: 'f', arguments: '{"a":1}' },
      { id: 'fc_2', type: 'function_call', status: 'completed', call_id: 'call_2', name: 'g', arguments: '{}' },
    ]);
    assert.equal(res.remaining_credits, undefined);
  });

  it('puts the message before the calls when the model wrote both', () => {
    const res = toResponse(result({ toolCalls: [{ id: 'call_1', name: 'f', arguments: '{}' }] }), body(), ids());
    assert.deepEqual(res.output.map((o) => [o.type, o.id]), [['message', 'msg_1'], ['function_call', 'fc_2']]);
  });

  it('reports max_tokens and content_filter as incomplete, with incomplete items; empty answers still have a message', () => {
    const long = toResponse(result({ finishReason: 'max_tokens' }), body(), ids());
    assert.equal(long.status, 'incomplete');
    assert.deepEqual(long.incomplete_details, { reason: 'max_output_tokens' });
    assert.equal(long.output[0].status, 'incomplete');
    const filtered = toResponse(result({ text: '', finishReason: 'content_filter' }), body(), ids());
    assert.deepEqual([filtered.status, filtered.incomplete_details], ['incomplete', { reason: 'content_filter' }]);
    assert.deepEqual(filtered.output[0], { id: 'msg_1', type: 'message', status: 'incomplete', role: 'assistant', content: [{ type: 'output_text', text: '', annotations: [], logprobs: [] }] });
    assert.equal(toResponse(result({ finishReason: 'stop_sequence' }), body(), ids()).status, 'completed');
  });

  it('defaults the echo like OpenAI: auto tool choice, parallel calls, text format, empty metadata', () => {
    const e = body();
    assert.deepEqual([e.tool_choice, e.parallel_tool_calls, e.text, e.metadata, e.tools, e.instructions, e.user], ['auto', true, { format: { type: 'text' } }, {}, [], null, null]);
  });
});
