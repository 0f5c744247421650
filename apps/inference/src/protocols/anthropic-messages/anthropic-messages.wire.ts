/** TypeScript shapes of an Anthropic Messages body, as far as {@link messagesSchema} guarantees them. */

/** Prompt-caching marker on a block or tool (`{type:"ephemeral", ttl?}`); null is accepted and means none. */
export interface WireCached {
  cache_control?: Record<string, unknown> | null;
}

export interface WireTextBlock extends WireCached {
  type: 'text';
  text: string;
}

export type WireImageSource = { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };

export interface WireImageBlock extends WireCached {
  type: 'image';
  source: WireImageSource;
}

export interface WireToolUseBlock extends WireCached {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
}

/** `source` is `{type:"text", data}`, `{type:"content", content:[blocks]}`, or a PDF/URL source the mapper refuses. */
export interface WireDocumentBlock extends WireCached {
  type: 'document';
  source: { type: string; data?: unknown; content?: unknown; media_type?: string };
  title?: string | null;
  context?: string | null;
}

export interface WireToolReferenceBlock {
  type: 'tool_reference';
  tool_name: string;
}

export interface WireSearchResultBlock {
  type: 'search_result';
  source: string;
  title: string;
  content: WireTextBlock[];
}

/** Blocks carried as text (see the schema's `textLike`). */
export type WireTextLikeBlock = WireDocumentBlock | WireToolReferenceBlock | WireSearchResultBlock;

export interface WireToolResultBlock extends WireCached {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | Array<WireTextBlock | WireImageBlock | WireTextLikeBlock>;
  is_error?: boolean | null;
}

/** Fields optional here: the schema types them but, being lenient with clients, does not require them. */
export interface WireThinkingBlock {
  type: 'thinking';
  thinking?: string;
  signature?: string;
}

export interface WireRedactedThinkingBlock {
  type: 'redacted_thinking';
  data?: string;
}

export type WireUserBlock = WireTextBlock | WireImageBlock | WireToolResultBlock | WireDocumentBlock | WireSearchResultBlock;
export type WireAssistantBlock = WireTextBlock | WireToolUseBlock | WireThinkingBlock | WireRedactedThinkingBlock;

export type WireMessage =
  | { role: 'user'; content: string | WireUserBlock[] }
  | { role: 'assistant'; content: string | WireAssistantBlock[] }
  | { role: 'system'; content: string | WireTextBlock[] };

/** A function tool (`type` absent or `custom`) or a server tool (any other `type`). */
export interface WireTool extends WireCached {
  type?: string;
  name?: string;
  description?: string;
  input_schema?: Record<string, unknown>;
  strict?: boolean | null;
}

export type WireToolChoice =
  | { type: 'auto' | 'any'; disable_parallel_tool_use?: boolean | null }
  | { type: 'none' }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean | null };

export interface MessagesBody {
  model: string;
  messages: WireMessage[];
  system?: string | WireTextBlock[];
  max_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  top_k?: number | null;
  stop_sequences?: string[] | null;
  stream?: boolean | null;
  metadata?: { user_id?: string | null } | null;
  tools?: WireTool[];
  tool_choice?: WireToolChoice;
  [field: string]: unknown;
}
