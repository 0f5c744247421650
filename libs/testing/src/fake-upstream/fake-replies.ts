/** Deterministic answers of the fake OpenAI upstream, as non-streaming bodies and as SSE chunk lists. */

interface WireMessage {
  role?: string;
  content?: unknown;
}
interface WireTool {
  function?: { name?: string };
}
export interface ChatRequestBody {
  model?: string;
  messages?: WireMessage[];
  tools?: WireTool[];
  tool_choice?: unknown;
  max_tokens?: number;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

export interface ReplyOptions {
  toolArguments: string;
  toolArgumentFragments: number;
  cachedTokens: number;
  parallelTools: boolean;
  /** Call this tool when the request offers it (else the forced or first one). */
  toolName?: string;
  /** Stream one character per chunk (behaviour `char-stream`). */
  charChunks?: boolean;
}

export interface PlannedReply {
  text: string | null;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  finishReason: 'stop' | 'length' | 'tool_calls';
  usage: {
    prompt_tokens: number;
    completion_tokens: number;
    total_tokens: number;
    prompt_tokens_details: { cached_tokens: number };
  };
}

const tokens = (s: string): number => Math.ceil(s.length / 4);

/** Text of a message's content (string or parts); images are counted as ` [n image(s)]`. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  let images = 0;
  for (const part of content as Array<{ type?: string; text?: string }>) {
    if (part?.type === 'text' && typeof part.text === 'string') texts.push(part.text);
    else if (part?.type === 'image_url') images++;
  }
  return texts.join(' ') + (images > 0 ? ` [${images} image(s)]` : '');
}

/** Prompt tokens of a request: 3 + Σ(3 + ⌈chars/4⌉) per message (also what `POST /tokenize` answers). */
export function promptTokens(body: ChatRequestBody | undefined): number {
  const messages = Array.isArray(body?.messages) ? body.messages : [];
  return 3 + messages.reduce((n, m) => n + 3 + tokens(contentText(m.content)), 0);
}

/**
 * - tools present, tool_choice not `none`, last message not a tool result → a tool call to the chosen (or first)
 *   tool with `toolArguments`;
 * - last message a tool result → `tool said: <content>`;
 * - last user text `say64:<base64>` → exactly that decoded text (tests choose the model's output without the
 *   gateway's input checks seeing it);
 * - otherwise → `echo: <last user text>`. `max_tokens` below the reply's tokens truncates it (finish `length`).
 * Usage: prompt = 3 + Σ(3 + ⌈chars/4⌉) per message, completion = ⌈chars/4⌉ of the reply (+5 per tool call).
 */
export function planReply(body: ChatRequestBody, requestNo: number, opts: ReplyOptions): PlannedReply {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const last = messages[messages.length - 1];
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const prompt = promptTokens(body);
  const usage = (completion: number): PlannedReply['usage'] => ({
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: opts.cachedTokens },
  });
  if (tools.length > 0 && body.tool_choice !== 'none' && last?.role !== 'tool') {
    const forced = (body.tool_choice as { function?: { name?: string } } | undefined)?.function?.name;
    const preferred = tools.find((t) => opts.toolName !== undefined && t.function?.name === opts.toolName)?.function?.name;
    const names = [forced ?? preferred ?? tools[0]?.function?.name ?? 'tool'];
    if (opts.parallelTools) names.push(tools[1]?.function?.name ?? names[0]);
    const toolCalls = names.map((name, i) => ({
      id: `call_fake_${requestNo}_${i}`,
      name,
      arguments: i === 0 ? opts.toolArguments : '{"city":"Rome"}',
    }));
    const completion = toolCalls.reduce((n, c) => n + 5 + tokens(c.arguments), 0);
    return { text: null, toolCalls, finishReason: 'tool_calls', usage: usage(completion) };
  }
  const userText = contentText([...messages].reverse().find((m) => m.role === 'user')?.content);
  const say = /^say64:([A-Za-z0-9+/=]+)$/.exec(userText.trim());
  let text =
    last?.role === 'tool' ? `tool said: ${contentText(last.content)}` : say ? Buffer.from(say[1], 'base64').toString('utf8') : `echo: ${userText}`;
  let finishReason: PlannedReply['finishReason'] = 'stop';
  if (typeof body.max_tokens === 'number' && tokens(text) > body.max_tokens) {
    text = text.slice(0, body.max_tokens * 4);
    finishReason = 'length';
  }
  return { text, toolCalls: [], finishReason, usage: usage(tokens(text)) };
}

export function completionBody(reply: PlannedReply, model: string, requestNo: number): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: reply.text };
  if (reply.toolCalls.length > 0) {
    message.tool_calls = reply.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  }
  return {
    id: `chatcmpl-fake-${requestNo}`,
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: reply.finishReason }],
    usage: reply.usage,
  };
}

/** The SSE `data:` payloads of a streamed answer (without `[DONE]`); the usage chunk only when asked for. */
export function streamChunks(reply: PlannedReply, model: string, requestNo: number, opts: ReplyOptions, withUsage: boolean): string[] {
  const base = { id: `chatcmpl-fake-${requestNo}`, object: 'chat.completion.chunk', created: 1_700_000_000, model };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
    JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  const out: string[] = [];
  if (reply.toolCalls.length > 0) {
    reply.toolCalls.forEach((call, index) => {
      const head = { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } };
      out.push(chunk(index === 0 ? { role: 'assistant', content: null, tool_calls: [head] } : { tool_calls: [head] }));
      for (const piece of opts.charChunks ? [...call.arguments] : fragments(call.arguments, opts.toolArgumentFragments)) {
        out.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
      }
    });
  } else {
    out.push(chunk({ role: 'assistant', content: '' }));
    const pieces = opts.charChunks ? [...(reply.text ?? '')] : ((reply.text ?? '').match(/\S+\s*|\s+/g) ?? []);
    for (const piece of pieces) out.push(chunk({ content: piece }));
  }
  out.push(chunk({}, reply.finishReason));
  if (withUsage) out.push(JSON.stringify({ ...base, choices: [], usage: reply.usage }));
  return out;
}

/** Splits `s` into `n` nearly equal non-empty pieces (fewer when `s` is short). */
export function fragments(s: string, n: number): string[] {
  const size = Math.max(1, Math.ceil(s.length / Math.max(1, n)));
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}
