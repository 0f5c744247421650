/** TypeScript shapes of a Chat Completions body, exactly as far as {@link chatCompletionSchema} guarantees them. */

export interface WireToolCall {
  id: string;
  type?: 'function';
  function: { name: string; arguments: string };
}

export interface WireContentPart {
  type: string;
  text?: string;
  image_url?: { url: string; detail?: 'auto' | 'low' | 'high' } | string;
  [k: string]: unknown;
}

export interface WireChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';
  content?: string | WireContentPart[] | null;
  name?: string;
  tool_call_id?: string;
  tool_calls?: WireToolCall[] | null;
}

export interface WireFunctionTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null };
}

export type WireToolChoice =
  | 'none'
  | 'auto'
  | 'required'
  | { type: 'function'; function: { name: string } }
  | { type: 'allowed_tools'; allowed_tools: { mode: 'auto' | 'required'; tools: Array<Record<string, unknown>> } };

export type WireResponseFormat =
  | { type: 'text' | 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; schema?: Record<string, unknown>; strict?: boolean | null; description?: string } };

export interface ChatCompletionBody {
  model: string;
  messages: WireChatMessage[];
  temperature?: number | null;
  top_p?: number | null;
  n?: number | null;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean | null } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  seed?: number | null;
  stop?: string | string[] | null;
  user?: string;
  tools?: WireFunctionTool[];
  tool_choice?: WireToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: WireResponseFormat;
  [field: string]: unknown;
}
