import type { CompletionResult, FinishReason, Usage } from '@gw/inference';
import { chargeFields } from '../openai-chat/openai-chat.response.mapper';

export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';

export function stopReason(r: FinishReason): AnthropicStopReason {
  switch (r) {
    case 'end_turn':
    case 'max_tokens':
    case 'stop_sequence':
    case 'tool_use':
      return r;
    case 'content_filter':
      return 'refusal';
  }
}

export interface WireUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

/**
 * Canonical usage counts cached tokens inside `inputTokens` (OpenAI's `prompt_tokens` semantics, which
 * billing uses); Anthropic reports them beside it (`input_tokens` + `cache_read_input_tokens` = the
 * whole prompt). Subtracting keeps clients that add the two up (Claude Code's context meter) right.
 * Cache writes an Anthropic upstream reports stay inside `input_tokens` (canonical usage has no field for
 * them yet), so `cache_creation_input_tokens` is 0; totals and billing are unaffected.
 */
export function wireUsage(u: Usage): WireUsage {
  const cached = Math.min(u.cachedInputTokens ?? 0, u.inputTokens);
  return { input_tokens: u.inputTokens - cached, cache_creation_input_tokens: 0, cache_read_input_tokens: cached, output_tokens: u.outputTokens };
}

/**
 * Canonical `arguments` (the model's raw JSON text) → a `tool_use.input` object. Anthropic promises an
 * object, and clients index into it, so text that does not parse to an object (a model that emitted
 * broken JSON, or none at all) becomes `{}` rather than failing the whole answer.
 */
export function toolInput(args: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(args);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** A canonical reasoning part as the Anthropic block it came from (the signature is what makes it replayable). */
export function thinkingBlock(r: NonNullable<CompletionResult['reasoning']>[number]): Record<string, unknown> {
  if (r.type === 'redacted_reasoning') return { type: 'redacted_thinking', data: r.data };
  return { type: 'thinking', thinking: r.text, signature: r.signature ?? '' };
}

/**
 * Canonical result → Anthropic `message` body. Content is the thinking blocks (Anthropic puts them first,
 * and the client must send them back so), the text block (if any text), then the tool_use blocks; an
 * answer with neither text nor calls gets one empty text block, the same as the stream encoder sends, so
 * the SDK's `finalText()` and clients that read the text block see `''` instead of failing.
 */
export function toMessage(res: CompletionResult, id: string, model: string): Record<string, unknown> {
  const content: Array<Record<string, unknown>> = (res.reasoning ?? []).map(thinkingBlock);
  if (res.text.length || !res.toolCalls.length) content.push({ type: 'text', text: res.text });
  for (const c of res.toolCalls) content.push({ type: 'tool_use', id: c.id, name: c.name, input: toolInput(c.arguments) });
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stopReason(res.finishReason),
    stop_sequence: res.finishReason === 'stop_sequence' ? (res.stopSequence ?? null) : null,
    usage: wireUsage(res.usage),
    ...(res.charge ? chargeFields(res.charge) : {}),
  };
}
