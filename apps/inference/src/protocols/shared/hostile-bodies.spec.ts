import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError, GatewayErrorCode, type CanonicalRequest, type InferenceContext } from '@gw/inference';
import { createMessagesAdapter } from '../anthropic-messages/anthropic-messages.adapter';
import { openAIChatAdapter } from '../openai-chat/openai-chat.adapter';
import { createResponsesAdapter } from '../openai-responses/openai-responses.adapter';

/**
 * Every field at every position of a rich, valid body of each surface is replaced by hostile-but-parseable JSON
 * values (and deleted); `parse` must then either succeed or throw a 400 GatewayError naming a field. A TypeError
 * (a mapper meeting a shape the schema let through) or any other throw fails the test, as does a parsed cap that
 * is not a bounded integer.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Parse = (body: unknown) => Promise<CanonicalRequest>;

const HOSTILE: Json[] = [null, {}, [], '', 'x', 'NaN', 'Infinity', 0, -1, 0.5, 1e308, -1e308, 1.2e29, 2 ** 31, true, [null], [{}], [[]], { type: 'x' }, 'x'.repeat(300)];
// Discriminator values of every surface: a tag moved onto a sibling's shape must not reach a mapper half-checked.
const TAGS: Json[] = ['text', 'image_url', 'image', 'function', 'allowed_tools', 'custom', 'mcp', 'tool', 'any', 'auto', 'none', 'required', 'message']
  .concat(['function_call', 'function_call_output', 'input_text', 'output_text', 'refusal', 'input_image', 'tool_use', 'tool_result', 'document'])
  .concat(['search_result', 'tool_reference', 'thinking', 'redacted_thinking', 'user', 'assistant', 'system', 'developer', 'json_schema', 'base64', 'url']);
// Not JSON, but a JS caller (or a future parser) could hand them over: the schema must still hold.
const NOT_JSON: unknown[] = [NaN, Infinity, -Infinity, undefined];

const schemaSpec = { type: 'object', properties: { city: { type: 'string' } } };
const ctx: InferenceContext = { requestId: 'r', surface: 'responses', startedAt: 0, startedAtMs: 0, signal: new AbortController().signal, payer: undefined };

const chatBase: Json = {
  model: 'm',
  messages: [
    { role: 'system', content: 'be brief' },
    { role: 'developer', content: [{ type: 'text', text: 'dev' }] },
    { role: 'user', name: 'ada', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'https://x.test/a.png', detail: 'low' } }] },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
  ],
  tools: [{ type: 'function', function: { name: 'get_weather', description: 'd', parameters: schemaSpec, strict: true } }],
  tool_choice: { type: 'function', function: { name: 'get_weather' } },
  response_format: { type: 'json_schema', json_schema: { name: 'out', schema: schemaSpec, strict: true } },
  temperature: 1, top_p: 1, n: 1, max_tokens: 16, max_completion_tokens: 16, presence_penalty: 0, frequency_penalty: 0, seed: 1,
  stop: ['END'], stream: false, stream_options: { include_usage: true }, user: 'u', parallel_tool_calls: true,
  logprobs: true, top_logprobs: 2, logit_bias: { '50256': -100 }, metadata: { k: 'v' }, safety_identifier: 's',
};

const responsesBase: Json = {
  model: 'm',
  instructions: 'be brief',
  input: [
    { role: 'user', content: [{ type: 'input_text', text: 'hi' }, { type: 'input_image', image_url: 'https://x.test/a.png', detail: 'low' }] },
    { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'ok' }, { type: 'refusal', refusal: 'no' }] },
    { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{}' },
    { type: 'function_call_output', call_id: 'call_1', output: [{ type: 'input_text', text: 'sunny' }] },
    { type: 'reasoning', summary: [] },
  ],
  tools: [{ type: 'function', name: 'get_weather', description: 'd', parameters: schemaSpec, strict: true }, { type: 'web_search_preview' }],
  tool_choice: { type: 'function', name: 'get_weather' },
  text: { format: { type: 'json_schema', name: 'out', schema: schemaSpec, strict: true } },
  previous_response_id: 'resp_1', store: false, stream: false, parallel_tool_calls: true, max_output_tokens: 16,
  temperature: 1, top_p: 1, metadata: { k: 'v' }, user: 'u', safety_identifier: 's', top_logprobs: 2, max_tool_calls: 3, include: ['x'],
};

const messagesBase: Json = {
  model: 'm',
  system: [{ type: 'text', text: 'be brief', cache_control: { type: 'ephemeral' } }],
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'hi' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
        { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'doc' }, title: 't' },
        { type: 'search_result', source: 's', title: 't', content: [{ type: 'text', text: 'r' }] },
      ],
    },
    { role: 'assistant', content: [{ type: 'thinking', thinking: 'hm', signature: 'sig' }, { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'P' } }] },
    {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'toolu_1', is_error: false, content: [{ type: 'text', text: 'sunny' }, { type: 'tool_reference', tool_name: 'x' }] }],
    },
  ],
  tools: [{ name: 'get_weather', description: 'd', input_schema: schemaSpec }, { type: 'web_search_20250305', name: 'web_search' }],
  tool_choice: { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true },
  max_tokens: 16, temperature: 1, top_p: 1, top_k: 5, stop_sequences: ['END'], stream: false, metadata: { user_id: 'u' },
  thinking: { type: 'enabled', budget_tokens: 2048 },
};

const responses = createResponsesAdapter({ load: async () => ({ id: 'resp_1', orgId: 'o', model: 'm', history: [], response: {} }), save: async () => undefined });
const messages = createMessagesAdapter(4096);

const SURFACES: Array<{ name: string; base: Json; parse: Parse }> = [
  { name: 'chat', base: chatBase, parse: async (b) => (await openAIChatAdapter.parse(b, ctx, {})).canonical },
  { name: 'responses', base: responsesBase, parse: async (b) => (await responses.parse(b, ctx, {})).canonical },
  { name: 'messages', base: messagesBase, parse: async (b) => (await messages.parse(b, ctx, {})).canonical },
];

/** Every path in a JSON value (objects and arrays), depth first, the root excluded. */
function paths(v: Json, at: Array<string | number> = []): Array<Array<string | number>> {
  if (v === null || typeof v !== 'object') return [];
  const keys: Array<string | number> = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
  return keys.flatMap((k) => [[...at, k], ...paths((v as Record<string | number, Json>)[k], [...at, k])]);
}

function mutate(base: Json, path: Array<string | number>, value: unknown): unknown {
  const body = structuredClone(base) as Record<string | number, unknown>;
  let node = body;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (value === DELETE) delete node[last];
  else node[last] = value;
  return body;
}
const DELETE = Symbol('delete');
const show = (v: unknown): string => (v === DELETE ? '<deleted>' : typeof v === 'number' || v === undefined ? String(v) : JSON.stringify(v));

/** Parses or is refused properly; returns a description of what went wrong, if anything. */
async function verdict(parse: Parse, body: unknown): Promise<string | undefined> {
  try {
    const c = await parse(body);
    if (c.maxTokens !== undefined && !(Number.isInteger(c.maxTokens) && c.maxTokens >= 1 && c.maxTokens < 2 ** 31)) return `parsed maxTokens ${c.maxTokens}`;
    JSON.stringify(c);
    return undefined;
  } catch (err) {
    if (!(err instanceof GatewayError)) return `threw ${(err as Error)?.name}: ${(err as Error)?.message}`;
    if (err.code !== GatewayErrorCode.InvalidRequest || err.status !== 400) return `GatewayError ${err.code}/${err.status}`;
    if (!err.param) return `400 without param: ${err.message}`;
    return undefined;
  }
}

describe('hostile-but-parseable bodies never crash a mapper', () => {
  for (const { name, base, parse } of SURFACES) {
    it(`${name}: the valid base body parses`, async () => {
      assert.equal(await verdict(parse, base), undefined);
      await parse(base);
    });

    it(`${name}: every field replaced by a hostile value, or deleted, parses or is a 400 with a param`, async () => {
      const failures: string[] = [];
      let cases = 0;
      for (const path of paths(base)) {
        for (const value of [...HOSTILE, ...TAGS, ...NOT_JSON, DELETE]) {
          cases++;
          const problem = await verdict(parse, mutate(base, path, value));
          if (problem) failures.push(`${path.join('.')} = ${show(value)}: ${problem}`);
        }
      }
      assert.ok(cases > 2000, `only ${cases} cases`);
      assert.deepEqual(failures.slice(0, 20), [], `${failures.length} of ${cases} cases failed`);
    });
  }
});
