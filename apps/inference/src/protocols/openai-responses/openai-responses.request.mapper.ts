import { GatewayError, type CanonicalMessage, type CanonicalRequest, type ResponseFormat, type ToolChoice, type ToolDefinition } from '@gw/inference';
import { toMessages } from './openai-responses.input.mapper';
import { RESPONSES_MAPPED_FIELDS as KNOWN, type ResponsesBody, type WireTool } from './openai-responses.schema';

export interface MappedRequest {
  /** Messages are `[instructions?, ...input]`; {@link withHistory} puts a stored conversation between them. */
  canonical: CanonicalRequest;
  instructions?: CanonicalMessage;
  /** This request's own input, for storing the conversation (instructions are not carried over, as at OpenAI). */
  input: CanonicalMessage[];
}

/** Names a `tool_choice` could use for a tool the gateway does not send upstream (namespace members included). */
function droppedNames(tools: WireTool[]): Set<string> {
  const names = new Set<string>();
  for (const t of tools) {
    if (t.type === 'function') continue;
    if (typeof t.name === 'string') names.add(t.name);
    if (Array.isArray(t.tools)) for (const inner of t.tools as Array<{ name?: unknown }>) if (typeof inner?.name === 'string') names.add(inner.name);
  }
  return names;
}

/**
 * Only function tools reach the model. Hosted tool types (`web_search`, `web_search_preview`,
 * `file_search`, `computer_use_preview`, `code_interpreter`, `image_generation`, `mcp`, `local_shell`)
 * and client-side shapes the chat upstreams cannot express (`custom`, `namespace`, anything else) are
 * accepted, so clients that always send them (Codex sends `namespace` and `web_search`) still work,
 * and are silently not offered to the model. They are still echoed in the response's `tools`.
 */
function functionTools(tools: WireTool[]): ToolDefinition[] {
  return tools
    .filter((t) => t.type === 'function')
    .map((t) => ({
      name: t.name!,
      description: t.description ?? undefined,
      parameters: t.parameters ?? { type: 'object', properties: {} },
      // OpenAI defaults `strict` to true here; only an explicit value is forwarded, so schemas that are not
      // strict-compatible do not start failing upstream.
      strict: t.strict ?? undefined,
    }));
}

function toolChoice(body: ResponsesBody, tools: ToolDefinition[]): ToolChoice | undefined {
  const choice = body.tool_choice;
  if (choice === undefined || !tools.length) return undefined; // nothing the model could be forced to call
  if (typeof choice === 'string') return { type: choice };
  switch (choice.type) {
    case 'function': {
      const name = choice.name!; // required by the schema
      if (tools.some((t) => t.name === name)) return { type: 'tool', name };
      if (droppedNames(body.tools ?? []).has(name)) return { type: 'auto' };
      throw GatewayError.invalid(`Invalid value for 'tool_choice': no function tool named '${name}' in 'tools'.`, 'tool_choice.name');
    }
    case 'required':
      return { type: 'required' };
    case 'allowed_tools':
      // The subset cannot be expressed canonically; its mode still can.
      return { type: choice.mode === 'required' ? 'required' : 'auto' };
    default:
      // A hosted or custom tool type the gateway does not serve: let the model choose among the rest.
      return { type: 'auto' };
  }
}

function responseFormat(body: ResponsesBody): ResponseFormat | undefined {
  const f = body.text?.format;
  if (!f) return undefined;
  if (f.type !== 'json_schema') return { type: f.type };
  return { type: 'json_schema', name: f.name, schema: f.schema, strict: f.strict ?? undefined, description: f.description };
}

const orUndef = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

/** OpenAI Responses body (already schema-validated) → canonical request, without any stored history. */
export function toCanonical(body: ResponsesBody): MappedRequest {
  if (body.input === undefined && !body.previous_response_id) {
    throw GatewayError.invalid(`Missing required parameter: 'input' (or 'previous_response_id').`, 'input');
  }
  const input = body.input === undefined ? [] : toMessages(body.input);
  const instructions: CanonicalMessage | undefined = body.instructions ? { role: 'system', content: [{ type: 'text', text: body.instructions }] } : undefined;
  if (!input.length && !body.previous_response_id) {
    throw GatewayError.invalid(`Invalid value for 'input': expected at least one message or function call output.`, 'input');
  }
  const tools = functionTools(body.tools ?? []);
  const passthrough: Record<string, unknown> = {};
  for (const key of Object.keys(body)) if (!KNOWN.has(key)) passthrough[key] = body[key];
  const canonical: CanonicalRequest = {
    model: body.model,
    messages: instructions ? [instructions, ...input] : input,
    tools: tools.length ? tools : undefined,
    toolChoice: toolChoice(body, tools),
    parallelToolCalls: orUndef(body.parallel_tool_calls),
    sampling: { temperature: orUndef(body.temperature), topP: orUndef(body.top_p) },
    maxTokens: orUndef(body.max_output_tokens),
    maxTokensParam: body.max_output_tokens != null ? 'max_output_tokens' : undefined,
    responseFormat: responseFormat(body),
    user: body.safety_identifier ?? body.user,
    stream: body.stream === true,
    // `reasoning`, `include`, `prompt_cache_key`, `truncation`, `service_tier`…: kept for upstreams that speak
    // this dialect; chat upstreams never receive them.
    passthrough: { dialect: 'openai-responses', fields: passthrough },
  };
  return { canonical, instructions, input };
}

/** Puts a stored conversation (`previous_response_id`) after the new instructions and before the new input. */
export function withHistory(m: MappedRequest, history: CanonicalMessage[]): CanonicalRequest {
  if (!history.length) return m.canonical;
  return { ...m.canonical, messages: [...(m.instructions ? [m.instructions] : []), ...history, ...m.input] };
}
