/** The four inference endpoints: valid bases (varied per case), integer and object fields, deep-nesting sites. */
import type { Rng } from './prng';
import type { Raw } from './raw-json';
import type { EndpointSpec, JsonObject } from './types';

export const FUZZ_MODEL = 'fake-model';
const WORDS = ['Once', 'upon', 'a', 'time', 'héllo', '日本', '🙂', 'tab\there', 'quote"s', 'back\\slash', 'new\nline'];
const text = (rng: Rng): string => Array.from({ length: 1 + rng.int(8) }, () => rng.pick(WORDS)).join(' ');
const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
const maxTokens = (rng: Rng): number => 1 + rng.int(32);

/** Parses SSE or JSON text; undefined when it is not JSON. */
function json(textBody: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(textBody);
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function okBody(field: string, value: string, terminators: string[]) {
  return (body: string, stream: boolean): string | undefined => {
    if (stream) return terminators.some((t) => body.includes(t)) ? undefined : `stream without ${terminators.join(' or ')}`;
    return json(body)?.[field] === value ? undefined : `2xx body without ${field}=${value}`;
  };
}

const chat: EndpointSpec = {
  name: 'chat',
  plane: 'inference',
  path: '/v1/chat/completions',
  envelope: 'openai',
  auth: 'key',
  audited: true,
  base(rng) {
    const b: JsonObject = { model: FUZZ_MODEL, messages: [{ role: 'user', content: text(rng) }], max_tokens: maxTokens(rng) };
    if (rng.chance(0.3)) (b.messages as JsonObject[]).unshift({ role: 'system', content: text(rng) });
    if (rng.chance(0.3)) {
      b.tools = [{ type: 'function', function: { name: 'get_weather', description: text(rng), parameters: schema } }];
      b.tool_choice = rng.pick(['auto', 'none', 'required']);
    }
    if (rng.chance(0.15)) b.response_format = { type: 'json_schema', json_schema: { name: 'out', schema } };
    if (rng.chance(0.2)) b.temperature = rng.next() * 2;
    if (rng.chance(0.3)) Object.assign(b, { stream: true, stream_options: { include_usage: rng.chance(0.5) } });
    return b;
  },
  integerFields: [['max_tokens'], ['max_completion_tokens'], ['n'], ['seed'], ['top_logprobs']],
  objectFields: [['tool_choice'], ['response_format'], ['stream_options'], ['messages', 0], ['logit_bias']],
  deepSites: [
    { name: 'tools[0].function.parameters', put: (b, d) => void (b.tools = [{ type: 'function', function: { name: 'f', parameters: d } }]) },
    { name: 'response_format.json_schema.schema', put: (b, d) => void (b.response_format = { type: 'json_schema', json_schema: { name: 'o', schema: d } }) },
    { name: 'messages[0].content[0] unknown field', put: (b, d) => void (b.messages = [{ role: 'user', content: [{ type: 'text', text: 'x', zz: d }] }]) },
  ],
  arrayFields: [
    { path: ['messages'], item: { role: 'user', content: 'x' } },
    { path: ['stop'], item: 'x' },
    { path: ['tools'], item: { type: 'function', function: { name: 'f', parameters: { type: 'object' } } } },
  ],
  checkOk: okBody('object', 'chat.completion', ['data: [DONE]']),
};

const responses: EndpointSpec = {
  name: 'responses',
  plane: 'inference',
  path: '/v1/responses',
  envelope: 'openai',
  auth: 'key',
  audited: true,
  base(rng) {
    const b: JsonObject = { model: FUZZ_MODEL, input: rng.chance(0.5) ? text(rng) : [{ role: 'user', content: [{ type: 'input_text', text: text(rng) }] }], max_output_tokens: 16 + rng.int(32) };
    if (rng.chance(0.3)) b.instructions = text(rng);
    if (rng.chance(0.3)) b.tools = [{ type: 'function', name: 'get_weather', parameters: schema }];
    if (rng.chance(0.15)) b.text = { format: { type: 'json_schema', name: 'out', schema } };
    if (rng.chance(0.2)) b.metadata = { k: text(rng) };
    if (rng.chance(0.3)) b.stream = true;
    return b;
  },
  integerFields: [['max_output_tokens'], ['top_logprobs'], ['max_tool_calls']],
  objectFields: [['tool_choice'], ['text'], ['text', 'format'], ['reasoning'], ['metadata'], ['input', 0]],
  deepSites: [
    { name: 'tools[0].parameters', put: (b, d) => void (b.tools = [{ type: 'function', name: 'f', parameters: d }]) },
    { name: 'text.format.schema', put: (b, d) => void (b.text = { format: { type: 'json_schema', name: 'o', schema: d } }) },
    { name: 'input[0] unknown field', put: (b, d) => void (b.input = [{ role: 'user', content: 'x', zz: d }]) },
  ],
  arrayFields: [
    { path: ['input'], item: { role: 'user', content: 'x' } },
    { path: ['tools'], item: { type: 'function', name: 'f', parameters: { type: 'object' } } },
  ],
  checkOk: okBody('object', 'response', ['event: response.completed', 'event: response.incomplete']),
};

function messagesBase(rng: Rng, withOutput: boolean): JsonObject {
  const b: JsonObject = { model: FUZZ_MODEL, messages: [{ role: 'user', content: text(rng) }] };
  if (withOutput) b.max_tokens = maxTokens(rng);
  if (rng.chance(0.3)) b.system = rng.chance(0.5) ? text(rng) : [{ type: 'text', text: text(rng) }];
  if (rng.chance(0.3)) {
    b.tools = [{ name: 'get_weather', description: text(rng), input_schema: schema }];
    b.messages = [
      { role: 'user', content: text(rng) },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' }] },
    ];
    b.tool_choice = rng.pick<JsonObject>([{ type: 'auto' }, { type: 'any' }, { type: 'tool', name: 'get_weather' }]);
  }
  if (withOutput && rng.chance(0.2)) b.top_k = 1 + rng.int(40);
  if (withOutput && rng.chance(0.3)) b.stream = true;
  return b;
}

const messagesShared: Omit<EndpointSpec, 'name' | 'path' | 'base' | 'integerFields' | 'checkOk'> = {
  plane: 'inference',
  envelope: 'anthropic',
  auth: 'key',
  audited: true,
  objectFields: [['tool_choice'], ['metadata'], ['thinking'], ['messages', 0], ['tools', 0]],
  deepSites: [
    { name: 'tools[0].input_schema', put: (b: JsonObject, d: Raw) => void (b.tools = [{ name: 'f', input_schema: d }]) },
    {
      name: 'tool_use.input',
      put: (b: JsonObject, d: Raw) =>
        void (b.messages = [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: { zz: d } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] },
        ]),
    },
    { name: 'metadata', put: (b: JsonObject, d: Raw) => void (b.metadata = { user_id: 'u', zz: d }) },
  ],
  arrayFields: [
    { path: ['messages'], item: { role: 'user', content: 'x' } },
    { path: ['stop_sequences'], item: 'x' },
    { path: ['system'], item: { type: 'text', text: 'x' } },
  ],
};

const messages: EndpointSpec = {
  ...messagesShared,
  name: 'messages',
  path: '/v1/messages',
  base: (rng) => messagesBase(rng, true),
  integerFields: [['max_tokens'], ['top_k'], ['thinking', 'budget_tokens']],
  checkOk: okBody('type', 'message', ['event: message_stop']),
};

const countTokens: EndpointSpec = {
  ...messagesShared,
  name: 'count_tokens',
  path: '/v1/messages/count_tokens',
  base: (rng) => messagesBase(rng, false),
  integerFields: [['max_tokens'], ['top_k'], ['thinking', 'budget_tokens']],
  checkOk: (body) => (typeof json(body)?.input_tokens === 'number' ? undefined : '2xx body without input_tokens'),
};

/**
 * The policy surface (issue 9): the chat and Messages bodies plus an inline policy and the policy fields. The base
 * policies never refuse the generated text (their denied terms are not in WORDS), so a well-formed case must be
 * served; the mutators then attack the policy document itself (wrong types, empty objects, deep nesting, 10,001
 * terms) as well as the protocol fields.
 */
function withPolicy(b: JsonObject, rng: Rng): JsonObject {
  const rules: JsonObject = rng.pick<JsonObject>([
    { denylist: ['forbidden phrase', 'codename zeta'], enforcement_action: rng.pick(['block', 'rewrite', 'escalate', 'summarize']) },
    { redact_pii: true, pii_types: ['EMAIL', 'PHONE'] },
    { allowlist: WORDS.map((w) => w.toLowerCase()), flagged_categories: ['hate', 'violence'] },
  ]);
  const policy: JsonObject = { policy_id: 'fuzz', config: { rules, ...(rng.chance(0.3) ? { deployment: { enabled: rng.chance(0.5), percentage: rng.int(101) } } : {}) } };
  const out: JsonObject = { ...b, policy };
  if (rng.chance(0.5)) out.policy_user = `user-${rng.int(100)}`;
  // Labels are printable text (control characters are refused: they would forge lines in logs and exports).
  if (rng.chance(0.5)) out.policy_target = rng.pick(['bot', 'mobile-app', 'héllo 日本 🙂', 'quote"s back\\slash']);
  return out;
}

const policyDeep = { name: 'policy.config.rules', put: (b: JsonObject, d: Raw) => void (b.policy = { config: { rules: { denylist: ['x'], zz: d } } }) };

const policyChat: EndpointSpec = {
  ...chat,
  name: 'policy_chat',
  path: '/policy/v1/chat/completions',
  base: (rng, ctx, i) => withPolicy(chat.base(rng, ctx, i), rng),
  objectFields: [...chat.objectFields, ['policy'], ['policy', 'config'], ['policy', 'config', 'rules']],
  deepSites: [...chat.deepSites, policyDeep],
  arrayFields: [...chat.arrayFields, { path: ['policy', 'config', 'rules', 'denylist'], item: 'term' }],
};

const policyMessages: EndpointSpec = {
  ...messages,
  name: 'policy_messages',
  path: '/policy/v1/messages',
  base: (rng, ctx, i) => withPolicy(messages.base(rng, ctx, i), rng),
  objectFields: [...messagesShared.objectFields, ['policy'], ['policy', 'config']],
  deepSites: [...messagesShared.deepSites, policyDeep],
  arrayFields: [...messagesShared.arrayFields, { path: ['policy', 'config', 'rules', 'flagged_categories'], item: 'hate' }],
};

export const INFERENCE_ENDPOINTS: EndpointSpec[] = [chat, responses, messages, countTokens, policyChat, policyMessages];
