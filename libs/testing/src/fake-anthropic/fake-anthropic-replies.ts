/** Deterministic answers of the fake Anthropic upstream, as Message bodies and as SSE event lists. */

interface WireBlock {
  type?: string;
  text?: string;
  content?: unknown;
}
interface WireMessage {
  role?: string;
  content?: unknown;
}
export interface MessagesRequestBody {
  model?: string;
  system?: unknown;
  messages?: WireMessage[];
  tools?: Array<{ name?: string }>;
  tool_choice?: { type?: string; name?: string };
  max_tokens?: number;
  stop_sequences?: string[];
  stream?: boolean;
  thinking?: { type?: string };
}

export interface AnthropicReplyOptions {
  toolArguments: string;
  toolArgumentFragments: number;
  toolPreamble?: string;
  toolName?: string;
  cachedTokens: number;
  parallelTools: boolean;
  thinking: boolean;
  refusal: boolean;
}

export type PlannedBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'tool_use'; id: string; name: string; inputJson: string };

export interface PlannedAnthropicReply {
  blocks: PlannedBlock[];
  stopReason: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';
  stopSequence: string | null;
  usage: { input_tokens: number; output_tokens: number; cache_read_input_tokens: number; cache_creation_input_tokens: number };
}

const tokens = (s: string): number => Math.ceil(s.length / 4);

/** Text of a string or block list: text blocks (and tool_result contents) joined by spaces, images as ` [n image(s)]`. */
export function anthropicBlocksText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  let images = 0;
  for (const block of content as WireBlock[]) {
    if (block?.type === 'text' && typeof block.text === 'string') texts.push(block.text);
    else if (block?.type === 'image') images++;
    else if (block?.type === 'tool_result') texts.push(anthropicBlocksText(block.content));
  }
  return texts.join(' ') + (images > 0 ? ` [${images} image(s)]` : '');
}

/** Whole prompt: 3 + ⌈system/4⌉ + Σ(3 + ⌈chars/4⌉) per message + ⌈tools JSON/4⌉ (what count_tokens answers). */
export function anthropicPromptTokens(body: MessagesRequestBody | undefined): number {
  const messages = Array.isArray(body?.messages) ? body.messages : [];
  const tools = Array.isArray(body?.tools) && body.tools.length > 0 ? tokens(JSON.stringify(body.tools)) : 0;
  return 3 + tokens(anthropicBlocksText(body?.system)) + messages.reduce((n, m) => n + 3 + tokens(anthropicBlocksText(m.content)), 0) + tools;
}

const isToolResultTurn = (m: WireMessage | undefined): boolean =>
  m?.role === 'user' && Array.isArray(m.content) && (m.content as WireBlock[]).some((b) => b?.type === 'tool_result');

/**
 * - tools offered, `tool_choice` not `none`, last turn not tool results → tool_use block(s) (after `toolPreamble`);
 * - last turn holds tool results → `tool said: <their text>`;
 * - otherwise → `echo: <last user text>`, cut at the first matching stop sequence (`stop_sequence`) or at
 *   `max_tokens` × 4 characters (`max_tokens`). Output tokens = ⌈chars/4⌉ of all text (+5 per tool call).
 */
export function planAnthropicReply(body: MessagesRequestBody, requestNo: number, opts: AnthropicReplyOptions): PlannedAnthropicReply {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const last = messages.at(-1);
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const prompt = anthropicPromptTokens(body);
  const cached = Math.min(opts.cachedTokens, prompt);
  const blocks: PlannedBlock[] = [];
  if (opts.thinking) blocks.push({ type: 'thinking', thinking: 'Let me think about that.', signature: `sig_fake_${requestNo}` });
  let stopReason: PlannedAnthropicReply['stopReason'] = 'end_turn';
  let stopSequence: string | null = null;
  if (opts.refusal) {
    blocks.push({ type: 'text', text: 'I cannot help with that.' });
    stopReason = 'refusal';
  } else if (tools.length > 0 && body.tool_choice?.type !== 'none' && !isToolResultTurn(last)) {
    const forced = body.tool_choice?.type === 'tool' ? body.tool_choice.name : undefined;
    const preferred = tools.find((t) => opts.toolName !== undefined && t.name === opts.toolName)?.name;
    const names = [forced ?? preferred ?? tools[0]?.name ?? 'tool'];
    if (opts.parallelTools) names.push(tools[1]?.name ?? names[0]);
    if (opts.toolPreamble) blocks.push({ type: 'text', text: opts.toolPreamble });
    names.forEach((name, i) => {
      blocks.push({ type: 'tool_use', id: `toolu_fake_${requestNo}_${i}`, name, inputJson: i === 0 ? opts.toolArguments : '{"city":"Rome"}' });
    });
    stopReason = 'tool_use';
  } else {
    const lastUser = [...messages].reverse().find((m) => m.role === 'user');
    let text = isToolResultTurn(last) ? `tool said: ${anthropicBlocksText(last?.content)}` : `echo: ${anthropicBlocksText(lastUser?.content)}`;
    const hit = (body.stop_sequences ?? []).map((s) => ({ s, at: text.indexOf(s) })).filter((h) => h.at >= 0).sort((a, b) => a.at - b.at)[0];
    if (hit) {
      text = text.slice(0, hit.at);
      stopReason = 'stop_sequence';
      stopSequence = hit.s;
    }
    if (typeof body.max_tokens === 'number' && tokens(text) > body.max_tokens) {
      text = text.slice(0, body.max_tokens * 4);
      stopReason = 'max_tokens';
      stopSequence = null;
    }
    blocks.push({ type: 'text', text });
  }
  const output = blocks.reduce((n, b) => n + (b.type === 'text' ? tokens(b.text) : b.type === 'thinking' ? tokens(b.thinking) : 5 + tokens(b.inputJson)), 0);
  const usage = { input_tokens: prompt - cached, output_tokens: output, cache_read_input_tokens: cached, cache_creation_input_tokens: 0 };
  return { blocks, stopReason, stopSequence, usage };
}

function wireBlock(b: PlannedBlock): Record<string, unknown> {
  if (b.type === 'tool_use') return { type: 'tool_use', id: b.id, name: b.name, input: JSON.parse(b.inputJson) as unknown };
  return { ...b };
}

/** The non-streaming Message. */
export function anthropicMessageBody(reply: PlannedAnthropicReply, model: string, requestNo: number): Record<string, unknown> {
  return {
    id: `msg_fake_${requestNo}`,
    type: 'message',
    role: 'assistant',
    model,
    content: reply.blocks.map(wireBlock),
    stop_reason: reply.stopReason,
    stop_sequence: reply.stopSequence,
    usage: reply.usage,
  };
}

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** The exact Anthropic event sequence: message_start, ping, per block start/deltas/stop, message_delta, message_stop. */
export function anthropicStreamEvents(reply: PlannedAnthropicReply, model: string, requestNo: number, opts: AnthropicReplyOptions): SseEvent[] {
  const ev = (event: string, data: Record<string, unknown> = {}): SseEvent => ({ event, data: { type: event, ...data } });
  const start = { ...anthropicMessageBody(reply, model, requestNo), content: [], stop_reason: null, stop_sequence: null };
  const out: SseEvent[] = [ev('message_start', { message: { ...start, usage: { ...reply.usage, output_tokens: 1 } } }), ev('ping')];
  reply.blocks.forEach((b, index) => {
    const delta = (d: Record<string, unknown>): void => void out.push(ev('content_block_delta', { index, delta: d }));
    if (b.type === 'text') {
      out.push(ev('content_block_start', { index, content_block: { type: 'text', text: '' } }));
      for (const word of b.text.match(/\S+\s*|\s+/g) ?? []) delta({ type: 'text_delta', text: word });
    } else if (b.type === 'thinking') {
      out.push(ev('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
      delta({ type: 'thinking_delta', thinking: b.thinking });
      delta({ type: 'signature_delta', signature: b.signature });
    } else {
      out.push(ev('content_block_start', { index, content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} } }));
      for (const piece of anthropicFragments(b.inputJson, opts.toolArgumentFragments)) delta({ type: 'input_json_delta', partial_json: piece });
    }
    out.push(ev('content_block_stop', { index }));
  });
  out.push(ev('message_delta', { delta: { stop_reason: reply.stopReason, stop_sequence: reply.stopSequence }, usage: { output_tokens: reply.usage.output_tokens } }));
  out.push(ev('message_stop'));
  return out;
}

export const sseFrame = (e: SseEvent): string => `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;

/** Splits `s` into `n` nearly equal non-empty pieces (fewer when `s` is short). */
export function anthropicFragments(s: string, n: number): string[] {
  const size = Math.max(1, Math.ceil(s.length / Math.max(1, n)));
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}
