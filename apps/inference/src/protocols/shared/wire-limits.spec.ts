import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '@gw/inference';
import { validateMessages } from '../anthropic-messages/anthropic-messages.schema';
import { validateChatCompletion } from '../openai-chat/openai-chat.schema';
import { validateResponses } from '../openai-responses/openai-responses.schema';
import { INT32_MAX, LIMITS } from './wire-limits';

/**
 * Each bound in both directions: the value at the limit is accepted, one past it is a 400 naming the field
 * (issue 8, reproducer 3: `max_tokens` 1e308 / 1.2e29 used to reach the credit store).
 */
type Body = Record<string, unknown>;
const many = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
const keys = (n: number, keyLen = 1, valueLen = 1): Record<string, string> => Object.fromEntries(many(n, (i) => [`k${i}`.padStart(keyLen, 'k'), 'v'.repeat(valueLen)]));

const chat = (over: Body): Body => ({ model: 'm', messages: [{ role: 'user', content: 'x' }], ...over });
const responses = (over: Body): Body => ({ model: 'm', input: 'x', ...over });
const messages = (over: Body): Body => ({ model: 'm', max_tokens: 8, messages: [{ role: 'user', content: 'x' }], ...over });
const fnTool = (name: string) => ({ type: 'function', function: { name, parameters: { type: 'object' } } });

type Case = [what: string, ok: Body, bad: Body, param: string];
const SURFACES: Array<{ name: string; validate: (b: unknown) => unknown; cases: Case[] }> = [
  {
    name: 'chat',
    validate: validateChatCompletion,
    cases: [
      ['max_tokens 1e308', chat({ max_tokens: INT32_MAX }), chat({ max_tokens: 1e308 }), 'max_tokens'],
      ['max_tokens 1.2e29', chat({ max_tokens: 1 }), chat({ max_tokens: 1.2e29 }), 'max_tokens'],
      ['max_completion_tokens 2^31', chat({ max_completion_tokens: INT32_MAX }), chat({ max_completion_tokens: 2 ** 31 }), 'max_completion_tokens'],
      ['n', chat({ n: 128 }), chat({ n: 129 }), 'n'],
      ['seed', chat({ seed: -(2 ** 31) }), chat({ seed: 2 ** 31 }), 'seed'],
      ['top_logprobs', chat({ top_logprobs: 20 }), chat({ top_logprobs: 21 }), 'top_logprobs'],
      ['temperature', chat({ temperature: 2 }), chat({ temperature: 2.01 }), 'temperature'],
      ['presence_penalty', chat({ presence_penalty: -2 }), chat({ presence_penalty: -2.5 }), 'presence_penalty'],
      ['logit_bias', chat({ logit_bias: { '1': 100 } }), chat({ logit_bias: { '1': 101 } }), 'logit_bias[1]'],
      ['stop', chat({ stop: many(4, String) }), chat({ stop: many(5, String) }), 'stop'],
      ['tools', chat({ tools: many(LIMITS.openAiTools, (i) => fnTool(`f${i}`)) }), chat({ tools: many(LIMITS.openAiTools + 1, (i) => fnTool(`f${i}`)) }), 'tools'],
      ['function name length', chat({ tools: [fnTool('f'.repeat(64))] }), chat({ tools: [fnTool('f'.repeat(65))] }), 'tools[0].function.name'],
      ['function name pattern', chat({ tools: [fnTool('a-b_c')] }), chat({ tools: [fnTool('a.b')] }), 'tools[0].function.name'],
      ['metadata keys', chat({ metadata: keys(16) }), chat({ metadata: keys(17) }), 'metadata'],
      ['metadata key length', chat({ metadata: keys(1, 64) }), chat({ metadata: keys(1, 65) }), 'metadata'],
      ['metadata value length', chat({ metadata: keys(1, 1, 512) }), chat({ metadata: keys(1, 1, 513) }), 'metadata.k0'],
      ['model', chat({ model: 'm'.repeat(256) }), chat({ model: 'm'.repeat(257) }), 'model'],
      ['messages', chat({ messages: many(LIMITS.messages, () => ({ role: 'user', content: 'x' })) }), chat({ messages: many(LIMITS.messages + 1, () => ({ role: 'user', content: 'x' })) }), 'messages'],
    ],
  },
  {
    name: 'responses',
    validate: validateResponses,
    cases: [
      ['max_output_tokens 1e308', responses({ max_output_tokens: INT32_MAX }), responses({ max_output_tokens: 1e308 }), 'max_output_tokens'],
      ['max_output_tokens 1.2e29', responses({ max_output_tokens: 1 }), responses({ max_output_tokens: 1.2e29 }), 'max_output_tokens'],
      ['max_tool_calls', responses({ max_tool_calls: INT32_MAX }), responses({ max_tool_calls: 2 ** 31 }), 'max_tool_calls'],
      ['top_logprobs', responses({ top_logprobs: 0 }), responses({ top_logprobs: -1 }), 'top_logprobs'],
      ['top_p', responses({ top_p: 1 }), responses({ top_p: 1.5 }), 'top_p'],
      ['safety_identifier', responses({ safety_identifier: 's'.repeat(64) }), responses({ safety_identifier: 's'.repeat(65) }), 'safety_identifier'],
      ['metadata keys', responses({ metadata: keys(16) }), responses({ metadata: keys(17) }), 'metadata'],
      ['tools', responses({ tools: many(LIMITS.tools, () => ({ type: 'web_search_preview' })) }), responses({ tools: many(LIMITS.tools + 1, () => ({ type: 'web_search_preview' })) }), 'tools'],
      ['function name', responses({ tools: [{ type: 'function', name: 'f'.repeat(64) }] }), responses({ tools: [{ type: 'function', name: 'f'.repeat(65) }] }), 'tools[0].name'],
      ['call_id', responses({ input: [{ type: 'function_call_output', call_id: 'c'.repeat(1024), output: 'x' }] }), responses({ input: [{ type: 'function_call_output', call_id: 'c'.repeat(1025), output: 'x' }] }), 'input[0].call_id'],
    ],
  },
  {
    name: 'messages',
    validate: validateMessages,
    cases: [
      ['max_tokens 1e308', messages({ max_tokens: INT32_MAX }), messages({ max_tokens: 1e308 }), 'max_tokens'],
      ['max_tokens 1.2e29', messages({ max_tokens: 1 }), messages({ max_tokens: 1.2e29 }), 'max_tokens'],
      ['top_k', messages({ top_k: INT32_MAX }), messages({ top_k: 2 ** 31 }), 'top_k'],
      ['temperature', messages({ temperature: 2 }), messages({ temperature: 2.01 }), 'temperature'],
      ['budget_tokens', messages({ thinking: { type: 'enabled', budget_tokens: 1024 } }), messages({ thinking: { type: 'enabled', budget_tokens: 1023 } }), 'thinking.budget_tokens'],
      ['budget_tokens 1e308', messages({ thinking: { type: 'enabled', budget_tokens: 1024 } }), messages({ thinking: { type: 'enabled', budget_tokens: 1e308 } }), 'thinking.budget_tokens'],
      ['stop_sequences', messages({ stop_sequences: many(LIMITS.anthropicStop, String) }), messages({ stop_sequences: many(LIMITS.anthropicStop + 1, String) }), 'stop_sequences'],
      ['tool name', messages({ tools: [{ name: 't'.repeat(128), input_schema: {} }] }), messages({ tools: [{ name: 't'.repeat(129), input_schema: {} }] }), 'tools.0.name'],
      ['user_id', messages({ metadata: { user_id: 'u'.repeat(256) } }), messages({ metadata: { user_id: 'u'.repeat(257) } }), 'metadata.user_id'],
      ['tools', messages({ tools: many(LIMITS.tools, (i) => ({ name: `t${i}`, input_schema: {} })) }), messages({ tools: many(LIMITS.tools + 1, (i) => ({ name: `t${i}`, input_schema: {} })) }), 'tools'],
    ],
  },
];

describe('wire limits: every bound accepts its limit and refuses one past it, naming the field', () => {
  for (const { name, validate, cases } of SURFACES) {
    for (const [what, ok, bad, param] of cases) {
      it(`${name}: ${what}`, () => {
        validate(ok);
        assert.throws(
          () => validate(bad),
          (e: unknown) => e instanceof GatewayError && e.status === 400 && e.param === param && e.message.includes(param.split(/[.[]/)[0]),
        );
      });
    }
  }

  it('words bounds as OpenAI does', () => {
    assert.throws(() => validateChatCompletion(chat({ max_tokens: 1e308 })), {
      message: "Invalid 'max_tokens': integer above maximum value. Expected a value <= 2147483647, but got 1e+308 instead.",
    });
    assert.throws(() => validateChatCompletion(chat({ stop: many(5, String) })), {
      message: "Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length 5 instead.",
    });
  });
});
