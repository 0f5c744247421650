/** TypeScript shapes of a Responses body, as far as {@link responsesSchema} guarantees them. */

export interface WirePart {
  type: string;
  text?: string;
  refusal?: string;
  image_url?: string | null;
  file_id?: string | null;
  detail?: string | null;
  [k: string]: unknown;
}

/** One `input` item; `type` is absent on EasyInputMessage. Extra fields (`id`, `status`…) are ignored. */
export interface WireItem {
  type?: string;
  role?: 'user' | 'assistant' | 'system' | 'developer';
  content?: string | WirePart[];
  call_id?: string;
  name?: string;
  arguments?: string;
  output?: string | WirePart[];
  [k: string]: unknown;
}

/** A tool as sent: function tools are modelled, every other type is opaque. */
export interface WireTool {
  type: string;
  name?: string;
  description?: string | null;
  parameters?: Record<string, unknown> | null;
  strict?: boolean | null;
  tools?: unknown;
  [k: string]: unknown;
}

/** Objects: `function`/`custom` carry `name`, `allowed_tools` carries `mode` (+ `tools`), `mcp` its `server_label`. */
export type WireToolChoice = 'auto' | 'none' | 'required' | { type: string; name?: string; mode?: 'auto' | 'required'; [k: string]: unknown };

export type WireTextFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict?: boolean | null; description?: string };

export interface ResponsesBody {
  model: string;
  input?: string | WireItem[];
  instructions?: string | null;
  previous_response_id?: string | null;
  tools?: WireTool[];
  tool_choice?: WireToolChoice;
  parallel_tool_calls?: boolean | null;
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  metadata?: Record<string, string> | null;
  store?: boolean | null;
  stream?: boolean | null;
  text?: { format?: WireTextFormat; [k: string]: unknown } | null;
  user?: string;
  safety_identifier?: string | null;
  [field: string]: unknown;
}
