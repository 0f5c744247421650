import { compileValidator } from '../shared/schema-validator';
import { INT32_MIN, LIMITS, OPENAI_NAME, int, metadata, model, num, optStr, str, text, when } from '../shared/wire-limits';
import type { ChatCompletionBody } from './openai-chat.wire';

export type { ChatCompletionBody, WireChatMessage, WireContentPart, WireToolCall } from './openai-chat.wire';

const bool = { type: ['boolean', 'null'] };
const tag = str(LIMITS.tagChars);

/** A content part; which types a role may use is the mapper's job (it answers 400 naming the part). */
const part = {
  type: 'object',
  required: ['type'],
  properties: { type: tag },
  allOf: [
    when('text', { required: ['text'], properties: { text } }),
    when('image_url', {
      required: ['image_url'],
      properties: {
        // An object as documented, or (leniently, as before) the URL itself.
        image_url: { type: ['string', 'object'], minLength: 1, required: ['url'], properties: { url: { type: 'string', minLength: 1 }, detail: { enum: ['auto', 'low', 'high'] } } },
      },
    }),
  ],
};

const toolCall = {
  type: 'object',
  required: ['id', 'function'],
  properties: {
    id: str(LIMITS.idChars),
    type: { const: 'function' },
    function: { type: 'object', required: ['name', 'arguments'], properties: { name: tag, arguments: text } },
  },
};

const message = {
  type: 'object',
  required: ['role'],
  properties: {
    role: { enum: ['system', 'developer', 'user', 'assistant', 'tool', 'function'] },
    content: { type: ['string', 'array', 'null'], maxItems: LIMITS.parts, items: part },
    name: tag,
    tool_call_id: str(LIMITS.idChars, 1),
    tool_calls: { type: ['array', 'null'], maxItems: LIMITS.parts, items: toolCall },
  },
  if: { required: ['role'], properties: { role: { const: 'tool' } } },
  then: { required: ['tool_call_id'] },
};

const functionTool = {
  type: 'object',
  required: ['type', 'function'],
  properties: {
    type: { const: 'function' },
    function: {
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string', pattern: OPENAI_NAME }, description: text, parameters: { type: 'object' }, strict: bool },
    },
  },
};

/** `'none' | 'auto' | 'required'`, a named function, or `allowed_tools` (custom tools cannot be declared here). */
const toolChoice = {
  type: ['string', 'object'],
  if: { type: 'string' },
  then: { enum: ['none', 'auto', 'required'] },
  else: {
    required: ['type'],
    properties: { type: { enum: ['function', 'allowed_tools'] } },
    allOf: [
      when('function', { required: ['function'], properties: { function: { type: 'object', required: ['name'], properties: { name: str(LIMITS.tagChars, 1) } } } }),
      when('allowed_tools', {
        required: ['allowed_tools'],
        properties: {
          allowed_tools: {
            type: 'object',
            required: ['mode', 'tools'],
            properties: { mode: { enum: ['auto', 'required'] }, tools: { type: 'array', maxItems: LIMITS.openAiTools, items: { type: 'object' } } },
          },
        },
      }),
    ],
  },
};

const responseFormat = {
  type: 'object',
  required: ['type'],
  properties: { type: { enum: ['text', 'json_object', 'json_schema'] } },
  allOf: [
    when('json_schema', {
      required: ['json_schema'],
      properties: {
        json_schema: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', pattern: OPENAI_NAME }, schema: { type: 'object' }, strict: bool, description: text },
        },
      },
    }),
  ],
};

/** The fields the mapper interprets; every other top-level field is passed through to same-dialect upstreams. */
const mapped = {
  model,
  messages: { type: 'array', minItems: 1, maxItems: LIMITS.messages, items: message },
  temperature: num(0, 2),
  top_p: num(0, 1),
  n: int(1, 128),
  stream: bool,
  stream_options: { type: ['object', 'null'], properties: { include_usage: bool } },
  max_tokens: int(1),
  max_completion_tokens: int(1),
  presence_penalty: num(-2, 2),
  frequency_penalty: num(-2, 2),
  seed: int(INT32_MIN),
  stop: { type: ['string', 'array', 'null'], maxLength: LIMITS.stopChars, maxItems: LIMITS.openAiStop, items: str(LIMITS.stopChars) },
  user: tag,
  tools: { type: 'array', maxItems: LIMITS.openAiTools, items: functionTool },
  tool_choice: toolChoice,
  parallel_tool_calls: { type: 'boolean' },
  response_format: responseFormat,
};

/** Passed through, but bounded here too, so an upstream never meets a value the real API would refuse. */
const checkedPassthrough = {
  logprobs: bool,
  top_logprobs: int(0, 20),
  logit_bias: { type: ['object', 'null'], maxProperties: LIMITS.logitBiasKeys, additionalProperties: { type: 'number', minimum: -100, maximum: 100 } },
  metadata,
  safety_identifier: optStr(LIMITS.safetyIdChars),
};

/** Top-level fields {@link toCanonical} maps; the rest travel in `passthrough.fields`. */
export const CHAT_MAPPED_FIELDS: ReadonlySet<string> = new Set(Object.keys(mapped));

/** JSON schema of a Chat Completions body: every field the gateway reads or bounds. */
export const chatCompletionSchema = {
  type: 'object',
  required: ['model', 'messages'],
  properties: { ...mapped, ...checkedPassthrough },
} as const;

export const validateChatCompletion = compileValidator<ChatCompletionBody>(chatCompletionSchema);
