import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError, type InferenceContext, type ToolChoice } from '@gw/inference';
import { parseMessages } from '../anthropic-messages/anthropic-messages.adapter';
import { openAIChatAdapter } from '../openai-chat/openai-chat.adapter';
import { createResponsesAdapter } from '../openai-responses/openai-responses.adapter';

/** Issue 8, reproducer 2: `"tool_choice":{}` was a 500 on chat. Every tool_choice shape, on all three surfaces. */
const ctx: InferenceContext = { requestId: 'r', surface: 'responses', startedAt: 0, startedAtMs: 0, signal: new AbortController().signal, payer: undefined };
const params = { type: 'object', properties: {} };

const chat = async (tool_choice: unknown): Promise<ToolChoice | undefined> => {
  const body = { model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'f', parameters: params } }], tool_choice };
  return (await openAIChatAdapter.parse(body, ctx, {})).canonical.toolChoice;
};
const responsesAdapter = createResponsesAdapter({ load: async () => null, save: async () => undefined });
const responses = async (tool_choice: unknown): Promise<ToolChoice | undefined> => {
  const body = { model: 'm', input: 'x', tools: [{ type: 'function', name: 'f', parameters: params }, { type: 'web_search_preview' }], tool_choice };
  return (await responsesAdapter.parse(body, ctx, {})).canonical.toolChoice;
};
const messages = async (tool_choice: unknown): Promise<ToolChoice | undefined> =>
  parseMessages({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], tools: [{ name: 'f', input_schema: params }], tool_choice }, 4096).toolChoice;

type Case = [choice: unknown, expected: ToolChoice | RegExp];
const TABLE: Record<string, { parse: (c: unknown) => Promise<ToolChoice | undefined>; cases: Case[] }> = {
  chat: {
    parse: chat,
    cases: [
      ['auto', { type: 'auto' }],
      ['none', { type: 'none' }],
      ['required', { type: 'required' }],
      [{ type: 'function', function: { name: 'f' } }, { type: 'tool', name: 'f' }],
      [{ type: 'allowed_tools', allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'f' } }] } }, { type: 'required' }],
      [{ type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [] } }, { type: 'auto' }],
      [{}, /^tool_choice\.type$/],
      ['any', /^tool_choice$/],
      [5, /^tool_choice$/],
      [null, /^tool_choice$/],
      [[], /^tool_choice$/],
      [{ type: 'function' }, /^tool_choice\.function$/],
      [{ type: 'function', function: {} }, /^tool_choice\.function\.name$/],
      [{ type: 'function', function: null }, /^tool_choice\.function$/],
      [{ type: 'function', function: { name: '' } }, /^tool_choice\.function\.name$/],
      [{ type: 'function', function: { name: 'nope' } }, /^tool_choice$/],
      [{ function: { name: 'f' } }, /^tool_choice\.type$/],
      [{ type: 'allowed_tools' }, /^tool_choice\.allowed_tools$/],
      [{ type: 'allowed_tools', allowed_tools: {} }, /^tool_choice\.allowed_tools\.mode$/],
      [{ type: 'allowed_tools', allowed_tools: { mode: 'all', tools: [] } }, /^tool_choice\.allowed_tools\.mode$/],
      [{ type: 'custom', custom: { name: 'f' } }, /^tool_choice\.type$/],
    ],
  },
  responses: {
    parse: responses,
    cases: [
      ['required', { type: 'required' }],
      [{ type: 'function', name: 'f' }, { type: 'tool', name: 'f' }],
      [{ type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'f' }] }, { type: 'required' }],
      [{ type: 'web_search_preview' }, { type: 'auto' }],
      [{ type: 'mcp', server_label: 'deepwiki' }, { type: 'auto' }],
      [{}, /^tool_choice\.type$/],
      ['any', /^tool_choice$/],
      [{ type: '' }, /^tool_choice\.type$/],
      [{ type: 'function' }, /^tool_choice\.name$/],
      [{ type: 'function', name: null }, /^tool_choice\.name$/],
      [{ type: 'function', name: 'nope' }, /^tool_choice\.name$/],
      [{ type: 'custom' }, /^tool_choice\.name$/],
      [{ type: 'mcp' }, /^tool_choice\.server_label$/],
      [{ type: 'allowed_tools' }, /^tool_choice\.mode$/],
      [{ type: 'allowed_tools', mode: 'auto', tools: 'f' }, /^tool_choice\.tools$/],
    ],
  },
  messages: {
    parse: messages,
    cases: [
      [{ type: 'auto', disable_parallel_tool_use: true }, { type: 'auto' }],
      [{ type: 'any' }, { type: 'required' }],
      [{ type: 'none' }, { type: 'none' }],
      [{ type: 'tool', name: 'f' }, { type: 'tool', name: 'f' }],
      [{}, /^tool_choice\.type$/],
      ['auto', /^tool_choice$/],
      [{ type: 'tool' }, /^tool_choice\.name$/],
      [{ type: 'tool', name: '' }, /^tool_choice\.name$/],
      [{ type: 'tool', name: 'nope' }, /^tool_choice\.name$/],
      [{ type: 'required' }, /^tool_choice\.type$/],
      [{ type: 'auto', disable_parallel_tool_use: 'yes' }, /^tool_choice\.disable_parallel_tool_use$/],
    ],
  },
};

describe('tool_choice: every shape is checked by the schema, on every surface', () => {
  for (const [surface, { parse, cases }] of Object.entries(TABLE)) {
    for (const [choice, expected] of cases) {
      it(`${surface}: ${JSON.stringify(choice)} → ${expected instanceof RegExp ? `400 on ${expected.source}` : JSON.stringify(expected)}`, async () => {
        if (!(expected instanceof RegExp)) return assert.deepEqual(await parse(choice), expected);
        await assert.rejects(parse(choice), (e: unknown) => e instanceof GatewayError && e.status === 400 && expected.test(e.param ?? ''));
      });
    }
  }
});
