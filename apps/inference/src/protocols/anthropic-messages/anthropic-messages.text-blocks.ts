import { GatewayError, type TextPart } from '@gw/inference';
import type { WireTextLikeBlock } from './anthropic-messages.wire';

/**
 * Blocks no canonical part models, carried as text so a Claude Code conversation that holds them keeps
 * working on every upstream: a plain-text document (`text` or `content` source), a ToolSearch
 * `tool_reference`, a `search_result`. PDF, image and URL documents need a native document part: refused.
 */
export function textLikePart(b: WireTextLikeBlock, param: string): TextPart {
  switch (b.type) {
    case 'tool_reference':
      return { type: 'text', text: `[tool available: ${b.tool_name}]` };
    case 'search_result':
      return { type: 'text', text: [`${b.title} (${b.source})`, ...b.content.map((c) => c.text)].join('\n') };
    case 'document': {
      const body = documentText(b.source);
      if (body === null) {
        throw GatewayError.invalid(
          `${param}.source.type: document source '${b.source.type}' is not supported by this gateway; send the document as text (source type 'text')`,
          `${param}.source.type`,
        );
      }
      const head = [b.title, b.context].filter((x): x is string => typeof x === 'string' && x.length > 0);
      return { type: 'text', text: [...head, body].join('\n\n'), ...(b.cache_control ? { cacheControl: b.cache_control } : {}) };
    }
  }
}

function documentText(source: { type: string; data?: unknown; content?: unknown }): string | null {
  if (source.type === 'text' && typeof source.data === 'string') return source.data;
  if (source.type === 'content') {
    if (typeof source.content === 'string') return source.content;
    if (Array.isArray(source.content)) {
      const texts = (source.content as unknown[]).map((c) => (c as { type?: unknown; text?: unknown } | null)).filter((c) => c?.type === 'text' && typeof c.text === 'string');
      return texts.map((c) => c!.text as string).join('\n');
    }
  }
  return null;
}
