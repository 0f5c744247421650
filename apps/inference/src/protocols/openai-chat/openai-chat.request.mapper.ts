import {
  GatewayError,
  type CanonicalMessage,
  type CanonicalRequest,
  type ContentPart,
  type ImagePart,
  type ResponseFormat,
  type TextPart,
  type ToolChoice,
} from '@gw/inference';
import { CHAT_MAPPED_FIELDS as KNOWN, type ChatCompletionBody, type WireChatMessage, type WireContentPart } from './openai-chat.schema';

/** The schema guarantees `image_url` is a non-empty URL string or an object with one. */
function imagePart(p: WireContentPart, param: string): ImagePart {
  const ref = typeof p.image_url === 'string' ? { url: p.image_url } : p.image_url!;
  const url = ref.url;
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  const source = data ? { kind: 'base64' as const, mediaType: data[1], data: data[2] } : { kind: 'url' as const, url };
  if (source.kind === 'url' && !/^https?:\/\//i.test(url)) {
    throw GatewayError.invalid(`Invalid value for '${param}.image_url.url': expected an http(s) URL or a base64 data URL.`, `${param}.image_url.url`);
  }
  return { type: 'image', source, detail: 'detail' in ref ? ref.detail : undefined };
}

function parts(content: WireChatMessage['content'], param: string, allowImages: boolean): Array<TextPart | ImagePart> {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((p, i): TextPart | ImagePart => {
    const at = `${param}[${i}]`;
    if (p.type === 'text') return { type: 'text', text: p.text! }; // the schema requires a string
    if (p.type === 'image_url' && allowImages) return imagePart(p, at);
    throw GatewayError.invalid(`Invalid value for '${at}.type': content part '${p.type}' is not supported here.`, `${at}.type`);
  });
}

function message(m: WireChatMessage, i: number): CanonicalMessage {
  const param = `messages[${i}].content`;
  switch (m.role) {
    case 'system':
    case 'developer':
      return { role: m.role, content: parts(m.content, param, false), name: m.name };
    case 'user':
      return { role: 'user', content: parts(m.content, param, true), name: m.name };
    case 'assistant': {
      const calls: ContentPart[] = (m.tool_calls ?? []).map((c) => ({ type: 'tool_call', id: c.id, name: c.function.name, arguments: c.function.arguments }));
      const content = parts(m.content, param, false);
      if (!content.length && !calls.length) throw GatewayError.invalid(`Missing required parameter: '${param}' (an assistant message needs content or tool_calls).`, param);
      return { role: 'assistant', content: [...content, ...calls], name: m.name };
    }
    case 'tool': // the schema requires a non-empty tool_call_id on this role
      return { role: 'tool', content: [{ type: 'tool_result', toolCallId: m.tool_call_id!, content: parts(m.content, param, false) }] };
    case 'function':
      throw GatewayError.invalid(`Invalid value for 'messages[${i}].role': the deprecated 'function' role is not supported; use 'tool'.`, `messages[${i}].role`);
  }
}

/** Every shape here was checked by the schema; `allowed_tools` keeps its mode (the subset has no canonical form). */
function toolChoice(choice: ChatCompletionBody['tool_choice']): ToolChoice | undefined {
  if (choice === undefined) return undefined;
  if (typeof choice === 'string') return { type: choice };
  if (choice.type === 'allowed_tools') return { type: choice.allowed_tools.mode === 'required' ? 'required' : 'auto' };
  return { type: 'tool', name: choice.function.name };
}

function responseFormat(f: { name: string; schema?: Record<string, unknown>; strict?: boolean | null; description?: string }): ResponseFormat {
  return { type: 'json_schema', name: f.name, schema: f.schema, strict: f.strict ?? undefined, description: f.description };
}

const orUndef = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

/** OpenAI Chat Completions body (already schema-validated) → canonical request. */
export function toCanonical(body: ChatCompletionBody): CanonicalRequest {
  if ((body.n ?? 1) > 1) throw GatewayError.invalid(`Invalid value for 'n': only n=1 is supported.`, 'n');
  const tc = toolChoice(body.tool_choice);
  const tools = body.tools?.map((t) => ({
    name: t.function.name,
    description: t.function.description,
    parameters: t.function.parameters ?? { type: 'object', properties: {} },
    strict: orUndef(t.function.strict),
  }));
  if (tc?.type === 'tool' && !tools?.some((t) => t.name === tc.name)) {
    throw GatewayError.invalid(`Invalid value for 'tool_choice': no tool named '${tc.name}' in 'tools'.`, 'tool_choice');
  }
  const passthrough: Record<string, unknown> = {};
  for (const key of Object.keys(body)) if (!KNOWN.has(key)) passthrough[key] = body[key];
  const rf = body.response_format;
  return {
    model: body.model,
    messages: body.messages.map(message),
    tools: tools?.length ? tools : undefined,
    toolChoice: tc,
    parallelToolCalls: body.parallel_tool_calls,
    sampling: {
      temperature: orUndef(body.temperature),
      topP: orUndef(body.top_p),
      seed: orUndef(body.seed),
      presencePenalty: orUndef(body.presence_penalty),
      frequencyPenalty: orUndef(body.frequency_penalty),
    },
    maxTokens: orUndef(body.max_completion_tokens) ?? orUndef(body.max_tokens),
    maxTokensParam: body.max_completion_tokens != null ? 'max_completion_tokens' : body.max_tokens != null ? 'max_tokens' : undefined,
    stop: typeof body.stop === 'string' ? [body.stop] : orUndef(body.stop),
    responseFormat: rf?.type === 'json_schema' ? responseFormat(rf.json_schema) : rf ? { type: rf.type } : undefined,
    user: body.user,
    stream: body.stream === true,
    passthrough: { dialect: 'openai-chat', fields: passthrough },
  };
}
