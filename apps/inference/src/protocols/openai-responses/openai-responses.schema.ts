import { compileValidator } from '../shared/schema-validator';

const num = (min: number, max: number) => ({ type: ['number', 'null'], minimum: min, maximum: max });
const posInt = { type: ['integer', 'null'], minimum: 1 };
const str = { type: 'string' };
const optStr = { type: ['string', 'null'] };

/**
 * Applies `then` to objects whose `type` is `type`. With `allErrors: false` ajv reports the inner
 * error first, so the 400 names the exact field (`input[2].call_id`), not the item as a whole.
 */
const when = (type: string, then: Record<string, unknown>) => ({ if: { required: ['type'], properties: { type: { const: type } } }, then });

/** A content part (message content, function_call_output list); which types a role may use is the mapper's job. */
const part = {
  type: 'object',
  required: ['type'],
  properties: { type: str },
  allOf: [
    when('input_text', { required: ['text'], properties: { text: str } }),
    when('output_text', { required: ['text'], properties: { text: str } }),
    when('refusal', { required: ['refusal'], properties: { refusal: str } }),
    when('input_image', { properties: { image_url: optStr, file_id: optStr, detail: optStr } }),
  ],
};

/** An input item. A message may omit `type` (EasyInputMessage), hence the `if` without `required`. */
const item = {
  type: 'object',
  properties: { type: str },
  allOf: [
    {
      if: { properties: { type: { const: 'message' } } },
      then: {
        required: ['role', 'content'],
        properties: { role: { enum: ['user', 'assistant', 'system', 'developer'] }, content: { type: ['string', 'array'], items: part } },
      },
    },
    when('function_call', { required: ['call_id', 'name', 'arguments'], properties: { call_id: str, name: str, arguments: str, id: str } }),
    when('function_call_output', { required: ['call_id', 'output'], properties: { call_id: str, output: { type: ['string', 'array'], items: part } } }),
  ],
};

/** JSON schema of the fields the gateway interprets; anything else goes to `passthrough.fields`. */
export const responsesSchema = {
  type: 'object',
  required: ['model'],
  properties: {
    model: { type: 'string', minLength: 1 },
    input: { type: ['string', 'array'], items: item },
    instructions: optStr,
    previous_response_id: optStr,
    tools: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type'],
        properties: { type: str },
        allOf: [
          when('function', {
            required: ['name'],
            properties: {
              name: { type: 'string', pattern: '^[a-zA-Z0-9_.-]{1,128}$' },
              description: optStr,
              parameters: { type: ['object', 'null'] },
              strict: { type: ['boolean', 'null'] },
            },
          }),
        ],
      },
    },
    tool_choice: {
      type: ['string', 'object'],
      if: { type: 'string' },
      then: { enum: ['auto', 'none', 'required'] },
      else: { required: ['type'], properties: { type: str }, allOf: [when('function', { required: ['name'], properties: { name: str } })] },
    },
    parallel_tool_calls: { type: ['boolean', 'null'] },
    max_output_tokens: posInt,
    temperature: num(0, 2),
    top_p: num(0, 1),
    metadata: { type: ['object', 'null'], additionalProperties: str },
    store: { type: ['boolean', 'null'] },
    stream: { type: ['boolean', 'null'] },
    text: {
      type: ['object', 'null'],
      properties: {
        format: {
          type: 'object',
          required: ['type'],
          properties: { type: { enum: ['text', 'json_object', 'json_schema'] } },
          allOf: [when('json_schema', { required: ['name', 'schema'], properties: { name: str, schema: { type: 'object' }, strict: { type: ['boolean', 'null'] }, description: str } })],
        },
      },
    },
    user: str,
    safety_identifier: str,
  },
} as const;

export interface WirePart {
  type: string;
  text?: string;
  refusal?: string;
  image_url?: string | null;
  file_id?: string | null;
  detail?: string | null;
  [k: string]: unknown;
}

/** One `input` item; `type` is absent on EasyInputMessage. Extra fields (`id`, `status`…) are ignored. */
export interface WireItem {
  type?: string;
  role?: 'user' | 'assistant' | 'system' | 'developer';
  content?: string | WirePart[];
  call_id?: string;
  name?: string;
  arguments?: string;
  output?: string | WirePart[];
  [k: string]: unknown;
}

/** A tool as sent: function tools are modelled, every other type is opaque. */
export interface WireTool {
  type: string;
  name?: string;
  description?: string | null;
  parameters?: Record<string, unknown> | null;
  strict?: boolean | null;
  tools?: unknown;
  [k: string]: unknown;
}

export type WireToolChoice = 'auto' | 'none' | 'required' | { type: string; name?: string; mode?: string; [k: string]: unknown };

export type WireTextFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict?: boolean | null; description?: string };

export interface ResponsesBody {
  model: string;
  input?: string | WireItem[];
  instructions?: string | null;
  previous_response_id?: string | null;
  tools?: WireTool[];
  tool_choice?: WireToolChoice;
  parallel_tool_calls?: boolean | null;
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  metadata?: Record<string, string> | null;
  store?: boolean | null;
  stream?: boolean | null;
  text?: { format?: WireTextFormat; [k: string]: unknown } | null;
  user?: string;
  safety_identifier?: string;
  [field: string]: unknown;
}

export const validateResponses = compileValidator<ResponsesBody>(responsesSchema);
