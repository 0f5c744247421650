import type {
  CanonicalMessage,
  CanonicalRequest,
  ImagePart,
  ResponseFormat,
  TextPart,
  ToolChoice,
} from '../../canonical/canonical-request';
import { GatewayError } from '../../errors/gateway-error';
import type { OpenAIChatBody, OpenAIContentPart, OpenAIMessage, OpenAIToolCall } from './openai-wire';

export interface BuildOptions {
  /** The model name sent upstream (catalogue `upstream_model`). */
  upstreamModel: string;
  stream: boolean;
  supportsImages: boolean;
}

/** Fields a caller's passthrough may never set: the gateway owns them. */
const RESERVED = new Set(['model', 'messages', 'stream', 'stream_options']);

/** Canonical request → OpenAI Chat Completions body. Throws GatewayError.invalid on what the upstream cannot take. */
export function buildChatBody(req: CanonicalRequest, opts: BuildOptions): OpenAIChatBody {
  const body: OpenAIChatBody = { model: opts.upstreamModel, messages: [], stream: opts.stream };
  if (req.passthrough.dialect === 'openai-chat') {
    for (const key of Object.keys(req.passthrough.fields)) {
      if (!RESERVED.has(key)) body[key] = req.passthrough.fields[key];
    }
  }
  const ctx = { opts, model: req.model };
  for (let i = 0; i < req.messages.length; i++) mapMessage(req.messages[i], i, ctx, body.messages);

  if (req.tools && req.tools.length > 0) {
    body.tools = req.tools.map((t) => ({
      type: 'function',
      function: {
        name: t.name,
        ...(t.description !== undefined && { description: t.description }),
        parameters: t.parameters,
        ...(t.strict !== undefined && { strict: t.strict }),
      },
    }));
    // OpenAI rejects tool_choice / parallel_tool_calls without tools, so they only go along with tools.
    if (req.toolChoice) body.tool_choice = mapToolChoice(req.toolChoice);
    if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;
  }
  const s = req.sampling;
  if (s.temperature !== undefined) body.temperature = s.temperature;
  if (s.topP !== undefined) body.top_p = s.topP;
  if (s.seed !== undefined) body.seed = s.seed;
  if (s.presencePenalty !== undefined) body.presence_penalty = s.presencePenalty;
  if (s.frequencyPenalty !== undefined) body.frequency_penalty = s.frequencyPenalty;
  if (req.maxTokens !== undefined) body.max_tokens = req.maxTokens;
  if (req.stop && req.stop.length > 0) body.stop = req.stop;
  if (req.responseFormat) body.response_format = mapResponseFormat(req.responseFormat);
  if (req.user !== undefined) body.user = req.user;
  if (opts.stream) {
    const callerOptions = req.passthrough.dialect === 'openai-chat' ? req.passthrough.fields.stream_options : undefined;
    const base = callerOptions && typeof callerOptions === 'object' ? callerOptions : {};
    body.stream_options = { ...base, include_usage: true };
  }
  return body;
}

interface Ctx {
  opts: BuildOptions;
  model: string;
}

function mapMessage(msg: CanonicalMessage, i: number, ctx: Ctx, out: OpenAIMessage[]): void {
  const name = msg.name !== undefined ? { name: msg.name } : {};
  if (msg.role === 'assistant') {
    const texts: string[] = [];
    const calls: OpenAIToolCall[] = [];
    for (const part of msg.content) {
      if (part.type === 'text') texts.push(part.text);
      else if (part.type === 'tool_call') {
        calls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } });
      } else if (part.type === 'reasoning' || part.type === 'redacted_reasoning') {
        continue; // Anthropic thinking from an earlier turn: only Anthropic can replay it (its signature is theirs)
      } else {
        throw GatewayError.invalid(`Assistant messages cannot contain ${part.type} parts.`, `messages[${i}].content`);
      }
    }
    const content = texts.length > 0 ? texts.join('') : calls.length > 0 ? null : '';
    out.push({ role: 'assistant', content, ...name, ...(calls.length > 0 && { tool_calls: calls }) });
    return;
  }
  // Tool results become one `tool` message each, in order, before whatever else the message holds
  // (Anthropic-style user messages mix tool_result blocks with text). Images inside tool results cannot
  // travel in an OpenAI tool message, so they follow in a user message.
  const rest: Array<TextPart | ImagePart> = [];
  for (let p = 0; p < msg.content.length; p++) {
    const part = msg.content[p];
    if (part.type === 'tool_result') {
      const texts: string[] = [];
      for (const c of part.content) {
        if (c.type === 'text') texts.push(c.text);
        else rest.push(c);
      }
      out.push({ role: 'tool', tool_call_id: part.toolCallId, content: texts.join('\n') });
    } else if (part.type === 'tool_call') {
      throw GatewayError.invalid(`Only assistant messages can contain tool calls.`, `messages[${i}].content[${p}]`);
    } else if (part.type !== 'reasoning' && part.type !== 'redacted_reasoning') {
      rest.push(part);
    }
  }
  if (msg.role === 'tool' && rest.length === 0) return;
  if (rest.length === 0 && msg.content.length > 0) return;
  const role = msg.role === 'system' || msg.role === 'developer' ? 'system' : 'user';
  out.push({ role, content: mapParts(rest, i, ctx), ...name });
}

function mapParts(parts: Array<TextPart | ImagePart>, i: number, ctx: Ctx): string | OpenAIContentPart[] {
  if (parts.length === 0) return '';
  if (parts.length === 1 && parts[0].type === 'text') return parts[0].text;
  return parts.map((part): OpenAIContentPart => {
    if (part.type === 'text') return { type: 'text', text: part.text };
    if (!ctx.opts.supportsImages) {
      throw GatewayError.invalid(`The model '${ctx.model}' does not support image input.`, `messages[${i}].content`);
    }
    const url = part.source.kind === 'url' ? part.source.url : `data:${part.source.mediaType};base64,${part.source.data}`;
    return { type: 'image_url', image_url: part.detail !== undefined ? { url, detail: part.detail } : { url } };
  });
}

function mapToolChoice(choice: ToolChoice): unknown {
  switch (choice.type) {
    case 'auto':
    case 'none':
    case 'required':
      return choice.type;
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
  }
}

function mapResponseFormat(rf: ResponseFormat): unknown {
  switch (rf.type) {
    case 'text':
    case 'json_object':
      return { type: rf.type };
    case 'json_schema':
      return {
        type: 'json_schema',
        json_schema: {
          name: rf.name,
          ...(rf.description !== undefined && { description: rf.description }),
          ...(rf.schema !== undefined && { schema: rf.schema }),
          ...(rf.strict !== undefined && { strict: rf.strict }),
        },
      };
  }
}
