import { compileValidator } from '../shared/schema-validator';
import { LIMITS, OPENAI_NAME, int, metadata, model, num, optStr, str, text, when } from '../shared/wire-limits';
import type { ResponsesBody } from './openai-responses.wire';

export type { ResponsesBody, WireItem, WirePart, WireTextFormat, WireTool, WireToolChoice } from './openai-responses.wire';

const bool = { type: ['boolean', 'null'] };
const tag = str(LIMITS.tagChars);
const id = str(LIMITS.idChars);
const nullableText = { type: ['string', 'null'] };

/** A content part (message content, function_call_output list); which types a role may use is the mapper's job. */
const part = {
  type: 'object',
  required: ['type'],
  properties: { type: tag },
  allOf: [
    when('input_text', { required: ['text'], properties: { text } }),
    when('output_text', { required: ['text'], properties: { text } }),
    when('refusal', { required: ['refusal'], properties: { refusal: text } }),
    when('input_image', { properties: { image_url: nullableText, file_id: optStr(LIMITS.idChars), detail: optStr(LIMITS.tagChars) } }),
  ],
};
const content = { type: ['string', 'array'], maxItems: LIMITS.parts, items: part };

/** An input item. A message may omit `type` (EasyInputMessage), hence the `if` without `required`. */
const item = {
  type: 'object',
  properties: { type: tag },
  allOf: [
    {
      if: { properties: { type: { const: 'message' } } },
      then: { required: ['role', 'content'], properties: { role: { enum: ['user', 'assistant', 'system', 'developer'] }, content } },
    },
    when('function_call', { required: ['call_id', 'name', 'arguments'], properties: { call_id: id, name: tag, arguments: text, id } }),
    when('function_call_output', { required: ['call_id', 'output'], properties: { call_id: id, output: content } }),
  ],
};

const tool = {
  type: 'object',
  required: ['type'],
  properties: { type: tag },
  allOf: [
    when('function', {
      required: ['name'],
      properties: { name: { type: 'string', pattern: OPENAI_NAME }, description: nullableText, parameters: { type: ['object', 'null'] }, strict: bool },
    }),
  ],
};

/**
 * `'auto' | 'none' | 'required'` or an object whose `type` names a tool kind. The kinds the mapper reads are
 * checked in full; any other kind (hosted tools: `web_search_preview`, `file_search`…) only by its `type`.
 */
const toolChoice = {
  type: ['string', 'object'],
  if: { type: 'string' },
  then: { enum: ['auto', 'none', 'required'] },
  else: {
    required: ['type'],
    properties: { type: str(LIMITS.tagChars, 1) },
    allOf: [
      when('function', { required: ['name'], properties: { name: str(LIMITS.tagChars, 1) } }),
      when('custom', { required: ['name'], properties: { name: str(LIMITS.tagChars, 1) } }),
      when('mcp', { required: ['server_label'], properties: { server_label: tag, name: optStr(LIMITS.tagChars) } }),
      when('allowed_tools', {
        required: ['mode', 'tools'],
        properties: { mode: { enum: ['auto', 'required'] }, tools: { type: 'array', maxItems: LIMITS.tools, items: { type: 'object' } } },
      }),
    ],
  },
};

const textConfig = {
  type: ['object', 'null'],
  properties: {
    format: {
      type: 'object',
      required: ['type'],
      properties: { type: { enum: ['text', 'json_object', 'json_schema'] } },
      allOf: [
        when('json_schema', {
          required: ['name', 'schema'],
          properties: { name: { type: 'string', pattern: OPENAI_NAME }, schema: { type: 'object' }, strict: bool, description: text },
        }),
      ],
    },
  },
};

/** The fields the mapper (and the response echo) interpret; anything else goes to `passthrough.fields`. */
const mapped = {
  model,
  input: { type: ['string', 'array'], maxItems: LIMITS.messages, items: item },
  instructions: nullableText,
  previous_response_id: optStr(LIMITS.idChars),
  tools: { type: 'array', maxItems: LIMITS.tools, items: tool },
  tool_choice: toolChoice,
  parallel_tool_calls: bool,
  max_output_tokens: int(1),
  temperature: num(0, 2),
  top_p: num(0, 1),
  metadata,
  store: bool,
  stream: bool,
  text: textConfig,
  user: tag,
  safety_identifier: optStr(LIMITS.safetyIdChars),
};

/** Passed through, but bounded here too, so an upstream never meets a value the real API would refuse. */
const checkedPassthrough = {
  top_logprobs: int(0, 20),
  max_tool_calls: int(0),
  include: { type: ['array', 'null'], maxItems: 64, items: tag },
};

/** Top-level fields {@link toCanonical} maps; the rest travel in `passthrough.fields`. */
export const RESPONSES_MAPPED_FIELDS: ReadonlySet<string> = new Set(Object.keys(mapped));

/** JSON schema of a Responses body: every field the gateway reads or bounds. */
export const responsesSchema = {
  type: 'object',
  required: ['model'],
  properties: { ...mapped, ...checkedPassthrough },
} as const;

export const validateResponses = compileValidator<ResponsesBody>(responsesSchema);
