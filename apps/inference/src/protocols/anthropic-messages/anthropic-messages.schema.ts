import type { MessagesBody } from './anthropic-messages.wire';
import { compileAnthropicValidator } from './anthropic-messages.validator';

/** Accepted on every block, system block and tool; kept for Anthropic upstreams, ignored by the others. */
const cacheControl = { type: ['object', 'null'] };
const nullable = (type: string, extra: Record<string, unknown> = {}) => ({ type: [type, 'null'], ...extra });

/** A discriminated union on `type` (ajv `discriminator`: only the branch the tag names is validated). */
const union = (...branches: object[]) => ({ type: 'object', required: ['type'], discriminator: { propertyName: 'type' }, oneOf: branches });

const textBlock = {
  type: 'object',
  required: ['type', 'text'],
  properties: { type: { const: 'text' }, text: { type: 'string' }, cache_control: cacheControl },
};

export const IMAGE_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];

const imageBlock = {
  type: 'object',
  required: ['type', 'source'],
  properties: {
    type: { const: 'image' },
    cache_control: cacheControl,
    source: union(
      {
        type: 'object',
        required: ['media_type', 'data'],
        properties: { type: { const: 'base64' }, media_type: { enum: IMAGE_MEDIA_TYPES }, data: { type: 'string', minLength: 1 } },
      },
      { type: 'object', required: ['url'], properties: { type: { const: 'url' }, url: { type: 'string', pattern: '^https?://' } } },
    ),
  },
};

const toolUseBlock = {
  type: 'object',
  required: ['type', 'id', 'name', 'input'],
  properties: {
    type: { const: 'tool_use' },
    id: { type: 'string', minLength: 1 },
    name: { type: 'string', minLength: 1 },
    input: { type: 'object' },
    cache_control: cacheControl,
  },
};

/**
 * Blocks the gateway carries as text, because no canonical part models them and rejecting them would break
 * Claude Code conversations: plain-text documents (a PDF or URL source is refused by the mapper), ToolSearch's
 * `tool_reference` results and `search_result` blocks. Each branch checks only what the text needs.
 */
const documentBlock = {
  type: 'object',
  required: ['type', 'source'],
  properties: { type: { const: 'document' }, source: { type: 'object', required: ['type'] }, title: nullable('string'), context: nullable('string'), cache_control: cacheControl },
};
const toolReferenceBlock = { type: 'object', required: ['type', 'tool_name'], properties: { type: { const: 'tool_reference' }, tool_name: { type: 'string' } } };
const searchResultBlock = {
  type: 'object',
  required: ['type', 'source', 'title', 'content'],
  properties: { type: { const: 'search_result' }, source: { type: 'string' }, title: { type: 'string' }, content: { type: 'array', items: textBlock } },
};
const textLike = [documentBlock, toolReferenceBlock, searchResultBlock];

const toolResultBlock = {
  type: 'object',
  required: ['type', 'tool_use_id'],
  properties: {
    type: { const: 'tool_result' },
    tool_use_id: { type: 'string', minLength: 1 },
    content: { type: ['string', 'array'], items: union(textBlock, imageBlock, ...textLike) },
    is_error: nullable('boolean'),
    cache_control: cacheControl,
  },
};

// Thinking from an earlier turn is replayed to Anthropic upstreams (its signature only means something there) and
// dropped for the others. Its fields are typed but not required, as before: clients that trim them still pass.
const thinkingBlock = { type: 'object', properties: { type: { const: 'thinking' }, thinking: { type: 'string' }, signature: { type: 'string' } } };
const redactedThinkingBlock = { type: 'object', properties: { type: { const: 'redacted_thinking' }, data: { type: 'string' } } };

const message = (role: string, ...blocks: object[]) => ({
  type: 'object',
  required: ['role', 'content'],
  properties: { role: { const: role }, content: { type: ['string', 'array'], items: union(...blocks) } },
});

const disableParallel = { disable_parallel_tool_use: nullable('boolean') };

/** JSON schema of the fields the gateway interprets; every other top-level field is passed through. */
export const messagesSchema = {
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
        discriminator: { propertyName: 'role' },
        oneOf: [
          message('user', textBlock, imageBlock, toolResultBlock, documentBlock, searchResultBlock),
          message('assistant', textBlock, toolUseBlock, thinkingBlock, redactedThinkingBlock),
          // Claude Code puts its environment block mid-conversation as a system-role message.
          message('system', textBlock),
        ],
      },
    },
    system: { type: ['string', 'array'], items: union(textBlock) },
    max_tokens: nullable('integer', { minimum: 1 }),
    temperature: nullable('number', { minimum: 0, maximum: 2 }),
    top_p: nullable('number', { minimum: 0, maximum: 1 }),
    top_k: nullable('integer', { minimum: 0 }),
    stop_sequences: nullable('array', { items: { type: 'string' } }),
    stream: nullable('boolean'),
    metadata: nullable('object', { properties: { user_id: nullable('string') } }),
    tools: {
      type: 'array',
      items: {
        type: 'object',
        properties: { type: { type: 'string' } },
        // A `type` other than `custom` is a server tool (web_search_…, bash_…): only `type` is checked.
        if: { required: ['type'], properties: { type: { not: { const: 'custom' } } } },
        then: {},
        else: {
          required: ['name', 'input_schema'],
          properties: {
            name: { type: 'string', pattern: '^[a-zA-Z0-9_.-]{1,128}$' },
            description: { type: 'string' },
            input_schema: { type: 'object' },
            strict: nullable('boolean'),
            cache_control: cacheControl,
          },
        },
      },
    },
    tool_choice: union(
      { type: 'object', properties: { type: { const: 'auto' }, ...disableParallel } },
      { type: 'object', properties: { type: { const: 'any' }, ...disableParallel } },
      { type: 'object', properties: { type: { const: 'none' } } },
      { type: 'object', required: ['name'], properties: { type: { const: 'tool' }, name: { type: 'string', minLength: 1 }, ...disableParallel } },
    ),
  },
} as const;

export const validateMessages = compileAnthropicValidator<MessagesBody>(messagesSchema);
