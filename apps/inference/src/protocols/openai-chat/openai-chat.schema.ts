import { compileValidator } from '../shared/schema-validator';

const num = (min: number, max: number) => ({ type: ['number', 'null'], minimum: min, maximum: max });
const posInt = { type: ['integer', 'null'], minimum: 1 };

/** JSON schema of the fields the gateway interprets; anything else is passed through to the upstream. */
export const chatCompletionSchema = {
  type: 'object',
  required: ['model', 'messages'],
  properties: {
    model: { type: 'string', minLength: 1 },
    messages: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['role'],
        properties: {
          role: { enum: ['system', 'developer', 'user', 'assistant', 'tool', 'function'] },
          content: { type: ['string', 'array', 'null'], items: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } } },
          name: { type: 'string' },
          tool_call_id: { type: 'string' },
          tool_calls: {
            type: ['array', 'null'],
            items: {
              type: 'object',
              required: ['id', 'function'],
              properties: {
                id: { type: 'string' },
                type: { const: 'function' },
                function: {
                  type: 'object',
                  required: ['name', 'arguments'],
                  properties: { name: { type: 'string' }, arguments: { type: 'string' } },
                },
              },
            },
          },
        },
      },
    },
    temperature: num(0, 2),
    top_p: num(0, 1),
    n: posInt,
    stream: { type: ['boolean', 'null'] },
    stream_options: { type: ['object', 'null'], properties: { include_usage: { type: 'boolean' } } },
    max_tokens: posInt,
    max_completion_tokens: posInt,
    presence_penalty: num(-2, 2),
    frequency_penalty: num(-2, 2),
    seed: { type: ['integer', 'null'] },
    stop: { type: ['string', 'array', 'null'], items: { type: 'string' }, maxItems: 4 },
    user: { type: 'string' },
    tools: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'function'],
        properties: {
          type: { const: 'function' },
          function: {
            type: 'object',
            required: ['name'],
            properties: {
              name: { type: 'string', pattern: '^[a-zA-Z0-9_.-]{1,128}$' },
              description: { type: 'string' },
              parameters: { type: 'object' },
              strict: { type: ['boolean', 'null'] },
            },
          },
        },
      },
    },
    tool_choice: {
      type: ['string', 'object'],
      properties: { type: { const: 'function' }, function: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
    },
    parallel_tool_calls: { type: 'boolean' },
    response_format: {
      type: 'object',
      required: ['type'],
      properties: {
        type: { enum: ['text', 'json_object', 'json_schema'] },
        json_schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, schema: { type: 'object' } } },
      },
    },
  },
} as const;

export interface WireToolCall {
  id: string;
  type?: 'function';
  function: { name: string; arguments: string };
}

export interface WireContentPart {
  type: string;
  text?: string;
  image_url?: { url?: string; detail?: string } | string;
  [k: string]: unknown;
}

export interface WireChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';
  content?: string | WireContentPart[] | null;
  name?: string;
  tool_call_id?: string;
  tool_calls?: WireToolCall[] | null;
}

export interface ChatCompletionBody {
  model: string;
  messages: WireChatMessage[];
  temperature?: number | null;
  top_p?: number | null;
  n?: number | null;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  seed?: number | null;
  stop?: string | string[] | null;
  user?: string;
  tools?: Array<{ type: 'function'; function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null } }>;
  tool_choice?: string | { type: 'function'; function: { name: string } };
  parallel_tool_calls?: boolean;
  response_format?: { type: 'text' | 'json_object' | 'json_schema'; json_schema?: { name: string; schema?: Record<string, unknown>; strict?: boolean; description?: string } };
  [field: string]: unknown;
}

export const validateChatCompletion = compileValidator<ChatCompletionBody>(chatCompletionSchema);
