import type { CacheControl, CanonicalMessage, ContentPart, ImagePart, Role, TextPart } from '../../canonical/canonical-request';
import { GatewayError } from '../../errors/gateway-error';
import type {
  AnthropicContentBlock,
  AnthropicImageBlock,
  AnthropicMessageParam,
  AnthropicTextBlock,
  AnthropicToolResultBlock,
} from './anthropic-wire';

/**
 * Anthropic has no system role inside `messages`, but clients (Claude Code, OpenAI chat clients) put system and
 * developer messages mid-conversation. Those become a user text block starting with this marker, so the model can
 * still tell an instruction from what the user typed; they then merge with the neighbouring user turn.
 */
export const MID_CONVERSATION_SYSTEM_MARKER = '[system]\n';

export interface MapOptions {
  supportsImages: boolean;
  /** The caller's model name, for error messages. */
  model: string;
}

export interface MappedConversation {
  system: AnthropicTextBlock[];
  messages: AnthropicMessageParam[];
}

const isSystem = (role: Role): boolean => role === 'system' || role === 'developer';

/** The part's prompt-caching marker as the wire field, for every dialect: only callers that speak Anthropic set one. */
const cache = (p: { cacheControl?: CacheControl }): { cache_control?: CacheControl } => (p.cacheControl ? { cache_control: p.cacheControl } : {});

/**
 * Canonical messages → top-level `system` blocks (the leading system/developer messages) and strictly alternating
 * user/assistant turns: consecutive same-role messages are merged, `tool` messages become user turns of
 * `tool_result` blocks, and in every user turn the tool results come first (Anthropic rejects a tool_use whose
 * results do not open the next user turn). Empty text is dropped: Anthropic rejects empty text blocks. Prompt-caching
 * markers travel on their blocks; reasoning parts become thinking blocks where they stood (first in the turn, as
 * Anthropic produced them: it rejects a reordered or edited sequence).
 */
export function mapConversation(messages: CanonicalMessage[], opts: MapOptions): MappedConversation {
  const system: AnthropicTextBlock[] = [];
  let i = 0;
  for (; i < messages.length && isSystem(messages[i].role); i++) {
    for (const part of systemTexts(messages[i], i)) system.push({ type: 'text', text: part.text, ...cache(part) });
  }
  const out: AnthropicMessageParam[] = [];
  for (; i < messages.length; i++) {
    const msg = messages[i];
    let role: AnthropicMessageParam['role'] = 'user';
    let blocks: AnthropicContentBlock[];
    if (isSystem(msg.role)) {
      const texts = systemTexts(msg, i);
      // The texts become one block, so a caching marker on any of them moves to its end: the last marker wins,
      // caching at least what the caller asked for.
      const marked = texts.findLast((t) => t.cacheControl !== undefined);
      const text = MID_CONVERSATION_SYSTEM_MARKER + texts.map((t) => t.text).join('\n');
      blocks = texts.length > 0 ? [{ type: 'text', text, ...(marked && cache(marked)) }] : [];
    } else if (msg.role === 'assistant') {
      role = 'assistant';
      blocks = assistantBlocks(msg, i);
    } else {
      blocks = userBlocks(msg, i, opts);
    }
    if (blocks.length === 0) continue;
    const last = out.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  }
  for (const turn of out) if (turn.role === 'user') turn.content = toolResultsFirst(turn.content);
  return { system, messages: out };
}

function systemTexts(msg: CanonicalMessage, i: number): TextPart[] {
  return msg.content.flatMap((part, p) => {
    if (part.type !== 'text') {
      throw GatewayError.invalid(`System and developer messages can only contain text, not ${part.type}.`, `messages[${i}].content[${p}]`);
    }
    return part.text === '' ? [] : [part];
  });
}

function assistantBlocks(msg: CanonicalMessage, i: number): AnthropicContentBlock[] {
  const blocks: AnthropicContentBlock[] = [];
  msg.content.forEach((part, p) => {
    if (part.type === 'text') {
      if (part.text !== '') blocks.push({ type: 'text', text: part.text, ...cache(part) });
    } else if (part.type === 'tool_call') {
      blocks.push({ type: 'tool_use', id: part.id, name: part.name, input: parseToolInput(part.arguments), ...cache(part) });
    } else if (part.type === 'reasoning') {
      // Kept even when empty (`display: "omitted"` thinking is a bare signature), and never edited: it is signed.
      blocks.push({ type: 'thinking', thinking: part.text, ...(part.signature !== undefined && { signature: part.signature }) });
    } else if (part.type === 'redacted_reasoning') {
      blocks.push({ type: 'redacted_thinking', data: part.data });
    } else {
      throw GatewayError.invalid(`Assistant messages cannot contain ${part.type} parts.`, `messages[${i}].content[${p}]`);
    }
  });
  return blocks;
}

function userBlocks(msg: CanonicalMessage, i: number, opts: MapOptions): AnthropicContentBlock[] {
  const blocks: AnthropicContentBlock[] = [];
  msg.content.forEach((part: ContentPart, p) => {
    const at = `messages[${i}].content[${p}]`;
    if (part.type === 'tool_call') throw GatewayError.invalid('Only assistant messages can contain tool calls.', at);
    if (part.type === 'reasoning' || part.type === 'redacted_reasoning') throw GatewayError.invalid('Only assistant messages can contain reasoning.', at);
    if (part.type === 'tool_result') {
      const content = part.content.flatMap((c) => leafBlock(c, at, opts));
      const block: AnthropicToolResultBlock = { type: 'tool_result', tool_use_id: part.toolCallId, ...cache(part) };
      if (content.length > 0) block.content = content;
      if (part.isError) block.is_error = true;
      blocks.push(block);
    } else {
      blocks.push(...leafBlock(part, at, opts));
    }
  });
  return blocks;
}

function leafBlock(part: TextPart | ImagePart, at: string, opts: MapOptions): Array<AnthropicTextBlock | AnthropicImageBlock> {
  if (part.type === 'text') return part.text === '' ? [] : [{ type: 'text', text: part.text, ...cache(part) }];
  if (!opts.supportsImages) throw GatewayError.invalid(`The model '${opts.model}' does not support image input.`, at);
  const src = part.source;
  if (src.kind === 'base64') return [{ type: 'image', source: { type: 'base64', media_type: src.mediaType, data: src.data }, ...cache(part) }];
  if (!src.url.startsWith('data:')) return [{ type: 'image', source: { type: 'url', url: src.url }, ...cache(part) }];
  // OpenAI clients inline images as data URLs; Anthropic's url source only takes http(s), so unwrap them.
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(src.url);
  if (!m) throw GatewayError.invalid('Image data URLs must be base64 encoded.', at);
  return [{ type: 'image', source: { type: 'base64', media_type: m[1], data: m[2] }, ...cache(part) }];
}

/** `tool_use.input` must be an object: arguments that are not a JSON object (truncated, empty, an array) become `{}`. */
export function parseToolInput(args: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(args);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function toolResultsFirst(blocks: AnthropicContentBlock[]): AnthropicContentBlock[] {
  const results = blocks.filter((b) => b.type === 'tool_result');
  return results.length === 0 ? blocks : [...results, ...blocks.filter((b) => b.type !== 'tool_result')];
}
