import type { CanonicalRequest, ResponseFormat, ToolChoice, ToolDefinition } from '../../canonical/canonical-request';
import type { AnthropicMessagesBody, AnthropicTool, AnthropicToolChoice } from './anthropic-wire';
import { mapConversation } from './message-mapper';

export interface AnthropicBuildOptions {
  /** The model name sent upstream (catalogue `upstream_model`). */
  upstreamModel: string;
  stream: boolean;
  supportsImages: boolean;
  /** `max_tokens` when the request has none (config `default_max_tokens`). */
  defaultMaxTokens: number;
}

/**
 * Passthrough fields that never reach the upstream: the gateway builds them itself, and a policy may have changed
 * them (e.g. capped `max_tokens`), so a copy smuggled in as an unmodelled field must not win.
 */
const RESERVED = new Set(['model', 'messages', 'stream', 'system', 'tools', 'tool_choice', 'max_tokens']);

/** What `POST /v1/messages/count_tokens` accepts: it rejects every other field (`max_tokens`, `stream`, ...). */
const COUNT_FIELDS = ['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'context_management', 'mcp_servers', 'output_config', 'output_format'];

/**
 * Canonical request → Anthropic Messages body. Requests that arrived on /v1/messages carry their unmodelled fields
 * (`thinking`, `context_management`, `output_config`, `service_tier`, `container`, unknown ones) verbatim; other
 * dialects' extras are never sent. Throws GatewayError.invalid on what the upstream cannot take.
 */
export function buildMessagesBody(req: CanonicalRequest, opts: AnthropicBuildOptions): AnthropicMessagesBody {
  const body: AnthropicMessagesBody = {
    model: opts.upstreamModel,
    messages: [],
    max_tokens: req.maxTokens ?? opts.defaultMaxTokens,
    stream: opts.stream,
  };
  const native = req.passthrough.dialect === 'anthropic-messages' ? req.passthrough.fields : {};
  for (const key of Object.keys(native)) if (!RESERVED.has(key)) body[key] = native[key];

  const conv = mapConversation(req.messages, { supportsImages: opts.supportsImages, model: req.model });
  body.messages = conv.messages;
  const system = conv.system;
  const jsonHint = req.responseFormat && !hasNativeFormat(native) ? jsonInstruction(req.responseFormat) : undefined;
  if (jsonHint) system.push({ type: 'text', text: jsonHint });
  if (system.length > 0) body.system = system;

  if (req.tools && req.tools.length > 0) {
    body.tools = req.tools.map((t) => mapTool(t, req.passthrough.dialect === 'anthropic-messages'));
    const choice = mapToolChoice(req.toolChoice, req.parallelToolCalls);
    if (choice) body.tool_choice = choice;
  }
  // Anthropic has no seed / presence / frequency penalties: they are dropped rather than failing the request.
  const s = req.sampling;
  if (s.temperature !== undefined) body.temperature = s.temperature;
  if (s.topP !== undefined) body.top_p = s.topP;
  if (s.topK !== undefined) body.top_k = s.topK;
  if (req.stop && req.stop.length > 0) body.stop_sequences = req.stop;
  if (req.user !== undefined) body.metadata = { ...asObject(body.metadata), user_id: req.user };
  return body;
}

/** The count_tokens body for the same request: the messages body reduced to the fields that endpoint takes. */
export function buildCountTokensBody(req: CanonicalRequest, opts: Omit<AnthropicBuildOptions, 'stream'>): Record<string, unknown> {
  const full = buildMessagesBody(req, { ...opts, stream: false });
  const body: Record<string, unknown> = {};
  for (const key of COUNT_FIELDS) if (full[key] !== undefined) body[key] = full[key];
  return body;
}

function mapTool(t: ToolDefinition, native: boolean): AnthropicTool {
  // Anthropic requires `input_schema.type: "object"`; OpenAI clients may send `{}` for a tool without arguments.
  const schema = t.parameters.type === undefined ? { type: 'object', ...t.parameters } : t.parameters;
  const tool: AnthropicTool = { name: t.name, ...(t.description !== undefined && { description: t.description }), input_schema: schema };
  if (t.cacheControl) tool.cache_control = t.cacheControl;
  // `strict` only travels when the caller already spoke Anthropic: OpenAI clients set it routinely, and
  // Messages servers without structured outputs reject the field.
  if (native && t.strict !== undefined) tool.strict = t.strict;
  return tool;
}

function mapToolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): AnthropicToolChoice | undefined {
  let out: AnthropicToolChoice | undefined;
  switch (choice?.type) {
    case undefined:
      break;
    case 'auto':
    case 'none':
      out = { type: choice.type };
      break;
    case 'required':
      out = { type: 'any' };
      break;
    case 'tool':
      out = { type: 'tool', name: choice.name };
      break;
  }
  if (parallel === false && out?.type !== 'none') out = { ...(out ?? { type: 'auto' }), disable_parallel_tool_use: true };
  return out;
}

function hasNativeFormat(native: Record<string, unknown>): boolean {
  return native.output_format !== undefined || asObject(native.output_config).format !== undefined;
}

/**
 * Best effort for OpenAI `response_format`: Messages servers in general have no JSON mode (Anthropic's structured
 * outputs depend on model and beta), so the format becomes a final system instruction. Nothing validates the answer.
 */
function jsonInstruction(rf: ResponseFormat): string | undefined {
  const base = 'Respond with a single valid JSON value and nothing else: no prose, no Markdown code fences.';
  switch (rf.type) {
    case 'text':
      return undefined;
    case 'json_object':
      return `${base} The value must be a JSON object.`;
    case 'json_schema': {
      const about = rf.description !== undefined ? ` (${rf.description})` : '';
      const schema = rf.schema !== undefined ? `\n${JSON.stringify(rf.schema)}` : '';
      return `${base} It must conform to the JSON Schema "${rf.name}"${about}:${schema}`;
    }
  }
}

function asObject(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
