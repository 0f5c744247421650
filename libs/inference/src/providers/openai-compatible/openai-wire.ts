/** The subset of the OpenAI Chat Completions wire format this provider writes and reads. */

export interface OpenAITextPart {
  type: 'text';
  text: string;
}
export interface OpenAIImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: string };
}
export type OpenAIContentPart = OpenAITextPart | OpenAIImagePart;

export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type OpenAIMessage =
  | { role: 'system' | 'user'; content: string | OpenAIContentPart[]; name?: string }
  | { role: 'assistant'; content: string | null; name?: string; tool_calls?: OpenAIToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface OpenAIChatBody {
  model: string;
  messages: OpenAIMessage[];
  stream: boolean;
  [field: string]: unknown;
}

export interface OpenAIUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}

export interface OpenAIChoice {
  index?: number;
  message?: {
    content?: string | null | Array<{ type?: string; text?: string }>;
    tool_calls?: Array<{ id?: string; function?: { name?: string; arguments?: string } }> | null;
  };
  finish_reason?: string | null;
  /** vLLM: the stop string (or token id) that ended generation. */
  stop_reason?: string | number | null;
}

export interface OpenAIChatCompletion {
  model?: string;
  choices?: OpenAIChoice[];
  usage?: OpenAIUsage | null;
}

export interface OpenAIToolCallDelta {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

export interface OpenAIChunk {
  model?: string;
  choices?: Array<{
    index?: number;
    delta?: { role?: string; content?: string | null; tool_calls?: OpenAIToolCallDelta[] | null };
    finish_reason?: string | null;
    stop_reason?: string | number | null;
  }>;
  usage?: OpenAIUsage | null;
  error?: { message?: string; type?: string; code?: string | number | null };
}
