/**
 * The gateway's neutral request model. Every protocol maps its wire body onto this shape and back;
 * providers only ever see this. It is a superset of the three public protocols, not any one of them.
 */
export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

/**
 * Anthropic's prompt-caching marker (`cache_control`, e.g. `{type:"ephemeral", ttl:"1h"}`): the prompt up to and
 * including the marked block or tool is cached. Kept verbatim for upstreams that understand it (Anthropic Messages);
 * every other upstream ignores it.
 */
export type CacheControl = Record<string, unknown>;

export interface TextPart {
  type: 'text';
  text: string;
  cacheControl?: CacheControl;
}

export type ImageSource = { kind: 'url'; url: string } | { kind: 'base64'; mediaType: string; data: string };

export interface ImagePart {
  type: 'image';
  source: ImageSource;
  /** OpenAI `detail` hint, kept for upstreams that understand it. */
  detail?: string;
  cacheControl?: CacheControl;
}

/** A call the assistant made; `arguments` is the raw JSON text exactly as the model produced it. */
export interface ToolCallPart {
  type: 'tool_call';
  id: string;
  name: string;
  arguments: string;
  cacheControl?: CacheControl;
}

/** The answer to a tool call, in a `tool` (or Anthropic-style `user`) message. */
export interface ToolResultPart {
  type: 'tool_result';
  toolCallId: string;
  content: Array<TextPart | ImagePart>;
  isError?: boolean;
  cacheControl?: CacheControl;
}

/**
 * Reasoning the assistant showed in an earlier turn (Anthropic `thinking`). Anthropic requires it back, unchanged and
 * with its `signature`, before the turn's tool calls when thinking is on; other upstreams cannot use it and drop it.
 */
export interface ReasoningPart {
  type: 'reasoning';
  text: string;
  /** Anthropic's opaque proof that `text` is the model's own; absent when the upstream sent none. */
  signature?: string;
}

/** Reasoning the upstream encrypted (Anthropic `redacted_thinking`): opaque `data`, replayed as is. */
export interface RedactedReasoningPart {
  type: 'redacted_reasoning';
  data: string;
}

export type ContentPart = TextPart | ImagePart | ToolCallPart | ToolResultPart | ReasoningPart | RedactedReasoningPart;

export interface CanonicalMessage {
  role: Role;
  content: ContentPart[];
  /** OpenAI participant name. */
  name?: string;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
  strict?: boolean;
  cacheControl?: CacheControl;
}

export type ToolChoice =
  | { type: 'auto' }
  | { type: 'none' }
  | { type: 'required' }
  | { type: 'tool'; name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema?: Record<string, unknown>; strict?: boolean; description?: string };

export interface Sampling {
  temperature?: number;
  topP?: number;
  topK?: number;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
}

/** Wire dialect a request arrived in; decides which vendor-only fields an upstream may receive. */
export type Dialect = 'openai-chat' | 'openai-responses' | 'anthropic-messages';

export interface CanonicalRequest {
  /** The model name the caller asked for (an id or alias in the catalogue). */
  model: string;
  /** System and developer instructions are messages, in order (clients put them mid-conversation too). */
  messages: CanonicalMessage[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  sampling: Sampling;
  /** Upper bound of generated tokens; undefined = provider default. */
  maxTokens?: number;
  /**
   * The wire field the caller set `maxTokens` with (`max_tokens`, `max_completion_tokens`, `max_output_tokens`), so
   * a cap above the model's limit is a 400 naming it; absent when the gateway chose the cap (it is then lowered).
   */
  maxTokensParam?: string;
  stop?: string[];
  responseFormat?: ResponseFormat;
  /** End-user id for abuse monitoring (OpenAI `user`, Anthropic `metadata.user_id`). */
  user?: string;
  stream: boolean;
  /**
   * Fields the gateway does not model, passed to upstreams speaking the same dialect; likewise `headers`, the
   * request headers such an upstream needs (only `anthropic-beta`, which unlocks fields like `context_management`).
   * Never credentials: the gateway authenticates upstream with its own key.
   */
  passthrough: { dialect: Dialect; fields: Record<string, unknown>; headers?: Record<string, string> };
}
