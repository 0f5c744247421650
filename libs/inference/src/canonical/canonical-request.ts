/**
 * The gateway's neutral request model. Every protocol maps its wire body onto this shape and back;
 * providers only ever see this. It is a superset of the three public protocols, not any one of them.
 */
export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export interface TextPart {
  type: 'text';
  text: string;
}

export type ImageSource = { kind: 'url'; url: string } | { kind: 'base64'; mediaType: string; data: string };

export interface ImagePart {
  type: 'image';
  source: ImageSource;
  /** OpenAI `detail` hint, kept for upstreams that understand it. */
  detail?: string;
}

/** A call the assistant made; `arguments` is the raw JSON text exactly as the model produced it. */
export interface ToolCallPart {
  type: 'tool_call';
  id: string;
  name: string;
  arguments: string;
}

/** The answer to a tool call, in a `tool` (or Anthropic-style `user`) message. */
export interface ToolResultPart {
  type: 'tool_result';
  toolCallId: string;
  content: Array<TextPart | ImagePart>;
  isError?: boolean;
}

export type ContentPart = TextPart | ImagePart | ToolCallPart | ToolResultPart;

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
  stop?: string[];
  responseFormat?: ResponseFormat;
  /** End-user id for abuse monitoring (OpenAI `user`, Anthropic `metadata.user_id`). */
  user?: string;
  stream: boolean;
  /** Fields the gateway does not model, passed to upstreams speaking the same dialect. */
  passthrough: { dialect: Dialect; fields: Record<string, unknown> };
}
