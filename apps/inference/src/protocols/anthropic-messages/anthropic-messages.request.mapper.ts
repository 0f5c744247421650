import {
  GatewayError,
  type CanonicalMessage,
  type CanonicalRequest,
  type ContentPart,
  type ImagePart,
  type TextPart,
  type ToolChoice,
  type ToolDefinition,
} from '@gw/inference';
import { MESSAGES_MAPPED_FIELDS as KNOWN } from './anthropic-messages.schema';
import { textLikePart } from './anthropic-messages.text-blocks';
import type { MessagesBody, WireCached, WireImageBlock, WireMessage, WireTextBlock, WireTool, WireToolResultBlock } from './anthropic-messages.wire';

export interface MessagesMapOptions {
  /** Output cap when the body has no `max_tokens` (Anthropic requires it; we do not). */
  defaultMaxTokens: number;
  /** Request headers an Anthropic upstream needs too (`anthropic-beta`), see {@link CanonicalRequest.passthrough}. */
  headers?: Record<string, string>;
}

/** The block's prompt-caching marker (null = none), kept for Anthropic upstreams. */
const cached = (b: WireCached): { cacheControl?: Record<string, unknown> } => (b.cache_control ? { cacheControl: b.cache_control } : {});

const text = (t: string, b: WireCached = {}): TextPart => ({ type: 'text', text: t, ...cached(b) });

function image(b: WireImageBlock): ImagePart {
  const s = b.source;
  const source = s.type === 'base64' ? { kind: 'base64' as const, mediaType: s.media_type, data: s.data } : { kind: 'url' as const, url: s.url };
  return { type: 'image', source, ...cached(b) };
}

function toolResult(b: WireToolResultBlock, param: string): ContentPart {
  const c = b.content ?? [];
  const content =
    typeof c === 'string'
      ? [text(c)]
      : c.map((p, i) => (p.type === 'text' ? text(p.text, p) : p.type === 'image' ? image(p) : textLikePart(p, `${param}.content.${i}`)));
  return { type: 'tool_result', toolCallId: b.tool_use_id, content, ...(typeof b.is_error === 'boolean' && { isError: b.is_error }), ...cached(b) };
}

/** One wire message → one canonical message; block types per role are already enforced by the schema. */
function message(m: WireMessage, index: number): CanonicalMessage {
  if (typeof m.content === 'string') return { role: m.role, content: [text(m.content)] };
  const content: ContentPart[] = [];
  for (const [i, b] of m.content.entries()) {
    const param = `messages.${index}.content.${i}`;
    switch (b.type) {
      case 'text':
        content.push(text(b.text, b));
        break;
      case 'image':
        content.push(image(b));
        break;
      case 'tool_result':
        content.push(toolResult(b, param));
        break;
      case 'document':
      case 'search_result':
        content.push(textLikePart(b, param));
        break;
      case 'tool_use':
        // The canonical id is Anthropic's own `toolu_…` id, so a later tool_result matches it unchanged.
        content.push({ type: 'tool_call', id: b.id, name: b.name, arguments: JSON.stringify(b.input), ...cached(b) });
        break;
      // Earlier-turn reasoning, kept verbatim: with thinking on, Anthropic rejects a tool loop whose assistant turn
      // comes back without its signed thinking. Upstreams that cannot replay it drop it.
      case 'thinking':
        content.push({ type: 'reasoning', text: b.thinking ?? '', ...(b.signature !== undefined && { signature: b.signature }) });
        break;
      case 'redacted_thinking':
        content.push({ type: 'redacted_reasoning', data: b.data ?? '' });
        break;
    }
  }
  return { role: m.role, content };
}

/** `system` (string or text blocks) → one leading system message, blocks kept as separate text parts. */
function systemMessage(system: MessagesBody['system']): CanonicalMessage[] {
  if (system === undefined || system === '') return [];
  const parts = typeof system === 'string' ? [text(system)] : system.map((b: WireTextBlock) => text(b.text, b));
  return parts.length ? [{ role: 'system', content: parts }] : [];
}

/**
 * Function tools only. Server tools (`web_search_20250305`, `bash_20250124`, `text_editor_…`: any `type`
 * but `custom`) run inside Anthropic's API; no upstream behind this gateway can run them, so they are
 * accepted (Claude Code may send them) and not sent upstream. Their names are returned for tool_choice.
 */
function tools(wire: WireTool[] | undefined): { defs: ToolDefinition[]; server: Set<string> } {
  const defs: ToolDefinition[] = [];
  const server = new Set<string>();
  for (const t of wire ?? []) {
    if (t.type !== undefined && t.type !== 'custom') {
      if (t.name) server.add(t.name);
      continue;
    }
    const strict = typeof t.strict === 'boolean' ? { strict: t.strict } : {};
    // The schema requires `name` and `input_schema` on function tools.
    defs.push({ name: t.name!, description: t.description, parameters: t.input_schema!, ...strict, ...cached(t) });
  }
  return { defs, server };
}

function toolChoice(choice: MessagesBody['tool_choice'], defs: ToolDefinition[], server: Set<string>): ToolChoice | undefined {
  if (!choice) return undefined;
  switch (choice.type) {
    case 'auto':
    case 'none':
      return { type: choice.type };
    case 'any':
      return { type: 'required' };
    case 'tool':
      if (defs.some((t) => t.name === choice.name)) return { type: 'tool', name: choice.name };
      throw GatewayError.invalid(
        server.has(choice.name)
          ? `tool_choice.name: '${choice.name}' is a server tool, which this gateway does not run`
          : `tool_choice.name: no tool named '${choice.name}' in tools`,
        'tool_choice.name',
      );
  }
}

const orUndef = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

/** Anthropic Messages body (already schema-validated) → canonical request. */
export function toCanonical(body: MessagesBody, opts: MessagesMapOptions): CanonicalRequest {
  const { defs, server } = tools(body.tools);
  const choice = body.tool_choice;
  const passthrough: Record<string, unknown> = {};
  for (const key of Object.keys(body)) if (!KNOWN.has(key)) passthrough[key] = body[key];
  const stop = orUndef(body.stop_sequences);
  return {
    model: body.model,
    messages: [...systemMessage(body.system), ...body.messages.map((m, i) => message(m, i))],
    tools: defs.length ? defs : undefined,
    toolChoice: toolChoice(choice, defs, server),
    parallelToolCalls: choice && choice.type !== 'none' && choice.disable_parallel_tool_use === true ? false : undefined,
    sampling: { temperature: orUndef(body.temperature), topP: orUndef(body.top_p), topK: orUndef(body.top_k) },
    maxTokens: orUndef(body.max_tokens) ?? opts.defaultMaxTokens,
    maxTokensParam: body.max_tokens != null ? 'max_tokens' : undefined,
    stop: stop?.length ? stop : undefined,
    user: orUndef(body.metadata?.user_id),
    stream: body.stream === true,
    passthrough: { dialect: 'anthropic-messages', fields: passthrough, ...(opts.headers && { headers: opts.headers }) },
  };
}
