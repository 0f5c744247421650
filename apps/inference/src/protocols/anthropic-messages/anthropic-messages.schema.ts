import type { MessagesBody } from './anthropic-messages.wire';
import { ANTHROPIC_TOOL_NAME, LIMITS, int, model, num, optStr, str, text } from '../shared/wire-limits';
import { compileAnthropicValidator } from './anthropic-messages.validator';

/** Accepted on every block, system block and tool; kept for Anthropic upstreams, ignored by the others. */
const cacheControl = { type: ['object', 'null'] };
const nullable = (type: string, extra: Record<string, unknown> = {}) => ({ type: [type, 'null'], ...extra });

/** A discriminated union on `type` (ajv `discriminator`: only the branch the tag names is validated). */
const union = (...branches: object[]) => ({ type: 'object', required: ['type'], discriminator: { propertyName: 'type' }, oneOf: branches });
const blocks = (...branches: object[]) => ({ type: ['string', 'array'], maxItems: LIMITS.parts, items: union(...branches) });
const tag = str(LIMITS.tagChars);
const id = str(LIMITS.idChars, 1);

const textBlock = {
  type: 'object',
  required: ['type', 'text'],
  properties: { type: { const: 'text' }, text, cache_control: cacheControl },
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
    id,
    name: str(LIMITS.tagChars, 1),
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
  properties: {
    type: { const: 'document' },
    source: { type: 'object', required: ['type'], properties: { type: tag } },
    title: nullable('string'),
    context: nullable('string'),
    cache_control: cacheControl,
  },
};
const toolReferenceBlock = { type: 'object', required: ['type', 'tool_name'], properties: { type: { const: 'tool_reference' }, tool_name: tag } };
const searchResultBlock = {
  type: 'object',
  required: ['type', 'source', 'title', 'content'],
  properties: { type: { const: 'search_result' }, source: text, title: text, content: { type: 'array', maxItems: LIMITS.parts, items: textBlock } },
};
const textLike = [documentBlock, toolReferenceBlock, searchResultBlock];

const toolResultBlock = {
  type: 'object',
  required: ['type', 'tool_use_id'],
  properties: {
    type: { const: 'tool_result' },
    tool_use_id: id,
    content: blocks(textBlock, imageBlock, ...textLike),
    is_error: nullable('boolean'),
    cache_control: cacheControl,
  },
};

// Thinking from an earlier turn is replayed to Anthropic upstreams (its signature only means something there) and
// dropped for the others. Its fields are typed but not required, as before: clients that trim them still pass.
const thinkingBlock = { type: 'object', properties: { type: { const: 'thinking' }, thinking: text, signature: text } };
const redactedThinkingBlock = { type: 'object', properties: { type: { const: 'redacted_thinking' }, data: text } };

const message = (role: string, ...kinds: object[]) => ({
  type: 'object',
  required: ['role', 'content'],
  properties: { role: { const: role }, content: blocks(...kinds) },
});

const disableParallel = { disable_parallel_tool_use: nullable('boolean') };

/** A function tool (`type` absent or `custom`) in full; a server tool (web_search_…, bash_…) by its `type` and `name`. */
const tool = {
  type: 'object',
  properties: { type: tag },
  if: { required: ['type'], properties: { type: { not: { const: 'custom' } } } },
  then: { properties: { name: tag } },
  else: {
    required: ['name', 'input_schema'],
    properties: {
      name: { type: 'string', pattern: ANTHROPIC_TOOL_NAME },
      description: text,
      input_schema: { type: 'object' },
      strict: nullable('boolean'),
      cache_control: cacheControl,
    },
  },
};

/** The fields the mapper interprets; every other top-level field is passed through. */
const mapped = {
  model,
  messages: {
    type: 'array',
    minItems: 1,
    maxItems: LIMITS.messages,
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
  system: blocks(textBlock),
  max_tokens: int(1),
  // Anthropic documents 0.0-1.0, but Messages requests may be served by OpenAI-compatible models where 0-2 is
  // meaningful, and this gateway has always accepted 0-2 here (an Anthropic upstream answers > 1 with its own 400).
  temperature: num(0, 2),
  top_p: num(0, 1),
  top_k: int(0),
  stop_sequences: nullable('array', { maxItems: LIMITS.anthropicStop, items: str(LIMITS.stopChars) }),
  stream: nullable('boolean'),
  metadata: nullable('object', { properties: { user_id: optStr(LIMITS.tagChars) } }),
  tools: { type: 'array', maxItems: LIMITS.tools, items: tool },
  tool_choice: union(
    { type: 'object', properties: { type: { const: 'auto' }, ...disableParallel } },
    { type: 'object', properties: { type: { const: 'any' }, ...disableParallel } },
    { type: 'object', properties: { type: { const: 'none' } } },
    { type: 'object', required: ['name'], properties: { type: { const: 'tool' }, name: str(LIMITS.tagChars, 1), ...disableParallel } },
  ),
};

/** Passed through (to Anthropic upstreams), but bounded here: `budget_tokens` is documented as ≥ 1024. */
const checkedPassthrough = {
  thinking: nullable('object', { required: ['type'], properties: { type: tag, budget_tokens: int(1024, undefined, false) } }),
};

/** Top-level fields {@link toCanonical} maps; the rest travel in `passthrough.fields`. */
export const MESSAGES_MAPPED_FIELDS: ReadonlySet<string> = new Set(Object.keys(mapped));

/** JSON schema of a Messages body: every field the gateway reads or bounds. */
export const messagesSchema = {
  type: 'object',
  required: ['model', 'messages'],
  properties: { ...mapped, ...checkedPassthrough },
} as const;

export const validateMessages = compileAnthropicValidator<MessagesBody>(messagesSchema);
