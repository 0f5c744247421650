import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CanonicalEvent, CompletionResult } from '@gw/inference';
import { toChatCompletion } from '../openai-chat/openai-chat.response.mapper';
import { ChatStreamEncoder } from '../openai-chat/openai-chat.stream';
import { echoOf, toResponse } from '../openai-responses/openai-responses.response.mapper';
import { ResponsesStreamEncoder } from '../openai-responses/openai-responses.stream';

/** Anthropic thinking has no form on the OpenAI surfaces: their output must be as if it never happened. */
const REASONING: CanonicalEvent[] = [
  { type: 'reasoning_start' },
  { type: 'reasoning_delta', text: 'secret' },
  { type: 'reasoning_signature', signature: 'sig' },
  { type: 'redacted_reasoning', data: 'enc' },
];
const PLAIN: CanonicalEvent[] = [
  { type: 'message_start', upstreamModel: 'u', inputTokens: 3 },
  { type: 'text_delta', text: 'Hi' },
  { type: 'tool_call_start', index: 0, id: 'call_1', name: 'f' },
  { type: 'tool_call_delta', index: 0, argumentsDelta: '{}' },
  { type: 'usage', usage: { inputTokens: 3, outputTokens: 4 } },
  { type: 'message_stop', finishReason: 'tool_use' },
];
const WITH_REASONING = [PLAIN[0], ...REASONING, PLAIN[1], ...REASONING, ...PLAIN.slice(2)];

const chat = (events: CanonicalEvent[]) => {
  const sut = new ChatStreamEncoder({ id: 'c', model: 'm', created: 7, includeUsage: true });
  return events.map((e) => sut.encode(e)).join('') + sut.finish();
};
const responses = (events: CanonicalEvent[]) => {
  let n = 0;
  const sut = new ResponsesStreamEncoder({ echo: echoOf({ model: 'm' }, 'resp_1', 7, false), ids: (p) => `${p}${++n}` });
  return events.map((e) => sut.encode(e)).join('') + sut.finish();
};

describe('OpenAI surfaces ignore reasoning', () => {
  it('chat and responses streams are unchanged by reasoning events', () => {
    assert.equal(chat(WITH_REASONING), chat(PLAIN));
    assert.equal(responses(WITH_REASONING), responses(PLAIN));
    // And reasoning alone is still a (empty) well-formed answer.
    assert.equal(responses([PLAIN[0], ...REASONING]), responses([PLAIN[0]]));
  });

  it('chat and responses bodies are unchanged by `reasoning`', () => {
    const res: CompletionResult = { upstreamModel: 'u', modelId: 'm', text: 'Hi', toolCalls: [], finishReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 1 } };
    const withReasoning: CompletionResult = { ...res, reasoning: [{ type: 'reasoning', text: 'secret', signature: 'sig' }] };
    assert.deepEqual(toChatCompletion(withReasoning, 'c', 'm', 7), toChatCompletion(res, 'c', 'm', 7));
    const ids = () => {
      let n = 0;
      return (p: string) => `${p}${++n}`;
    };
    const echo = echoOf({ model: 'm' }, 'resp_1', 7, false);
    assert.deepEqual(toResponse(withReasoning, echo, ids()), toResponse(res, echo, ids()));
  });
});
