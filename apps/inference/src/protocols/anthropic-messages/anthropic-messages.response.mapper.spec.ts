import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CompletionResult, FinishReason } from '@gw/inference';
import { toMessage, toolInput } from './anthropic-messages.response.mapper';

function result(over: Partial<CompletionResult> = {}): CompletionResult {
  return {
    upstreamModel: 'up',
    modelId: 'abliterated-model',
    text: 'Hello',
    toolCalls: [],
    finishReason: 'end_turn',
    usage: { inputTokens: 14, outputTokens: 32 },
    ...over,
  };
}

describe('anthropic-messages response mapping', () => {
  it('renders a text answer in the Anthropic message shape', () => {
    assert.deepEqual(toMessage(result(), 'msg_1', 'my-alias'), {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'my-alias',
      content: [{ type: 'text', text: 'Hello' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 14, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 32 },
    });
  });

  const reasons: Array<[FinishReason, string]> = [
    ['end_turn', 'end_turn'],
    ['max_tokens', 'max_tokens'],
    ['stop_sequence', 'stop_sequence'],
    ['tool_use', 'tool_use'],
    ['content_filter', 'refusal'],
  ];
  for (const [canonical, wire] of reasons) {
    it(`maps finish reason ${canonical} → ${wire}`, () => {
      const body = toMessage(result({ finishReason: canonical, stopSequence: canonical === 'stop_sequence' ? '###' : undefined }), 'msg_1', 'm');
      assert.equal(body.stop_reason, wire);
      assert.equal(body.stop_sequence, canonical === 'stop_sequence' ? '###' : null);
    });
  }

  it('puts tool_use blocks after the text, with input parsed from the arguments, and the credit fields on top', () => {
    const body = toMessage(
      result({
        text: 'Let me check.',
        toolCalls: [
          { id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris","units":["c"]}' },
          { id: 'toolu_2', name: 'broken', arguments: '{"city":' },
          { id: 'toolu_3', name: 'noargs', arguments: '' },
        ],
        finishReason: 'tool_use',
        usage: { inputTokens: 100, outputTokens: 20, cachedInputTokens: 60 },
        charge: { remainingCredits: 487, creditsUsed: 1, costUsd: 0.0006 },
      }),
      'msg_2',
      'm',
    );
    assert.deepEqual(body.content, [
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris', units: ['c'] } },
      { type: 'tool_use', id: 'toolu_2', name: 'broken', input: {} },
      { type: 'tool_use', id: 'toolu_3', name: 'noargs', input: {} },
    ]);
    assert.equal(body.stop_reason, 'tool_use');
    // Cached tokens are reported beside input_tokens, as Anthropic does (the two add up to the prompt).
    assert.deepEqual(body.usage, { input_tokens: 40, cache_creation_input_tokens: 0, cache_read_input_tokens: 60, output_tokens: 20 });
    assert.equal(body.remaining_credits, 487);
    assert.equal(body.estimated_credits_used, 1);
    assert.equal(body.estimated_cost_usd, 0.0006);
  });

  it('omits the text block when only tools were called, and sends one empty text block for an empty answer', () => {
    const tools = toMessage(result({ text: '', toolCalls: [{ id: 't', name: 'f', arguments: '{}' }], finishReason: 'tool_use' }), 'msg_3', 'm');
    assert.deepEqual(tools.content, [{ type: 'tool_use', id: 't', name: 'f', input: {} }]);
    assert.deepEqual(toMessage(result({ text: '' }), 'msg_4', 'm').content, [{ type: 'text', text: '' }]);
  });

  it('puts thinking and redacted thinking first, signatures kept (none becomes ""), and still an empty text block', () => {
    const reasoning = [
      { type: 'reasoning' as const, text: 'Let me think.', signature: 'sig_1' },
      { type: 'redacted_reasoning' as const, data: 'opaque==' },
      { type: 'reasoning' as const, text: '' },
    ];
    assert.deepEqual(toMessage(result({ text: '', reasoning }), 'msg_5', 'm').content, [
      { type: 'thinking', thinking: 'Let me think.', signature: 'sig_1' },
      { type: 'redacted_thinking', data: 'opaque==' },
      { type: 'thinking', thinking: '', signature: '' },
      { type: 'text', text: '' },
    ]);
    const call = { id: 't', name: 'f', arguments: '{}' };
    assert.deepEqual(
      (toMessage(result({ reasoning: reasoning.slice(0, 1), toolCalls: [call] }), 'msg_6', 'm').content as Array<{ type: string }>).map((b) => b.type),
      ['thinking', 'text', 'tool_use'],
    );
  });

  it('turns anything but a JSON object into {} for tool input', () => {
    assert.deepEqual(toolInput('[1,2]'), {});
    assert.deepEqual(toolInput('"s"'), {});
    assert.deepEqual(toolInput('null'), {});
    assert.deepEqual(toolInput('{"a":{"b":1}}'), { a: { b: 1 } });
  });
});
