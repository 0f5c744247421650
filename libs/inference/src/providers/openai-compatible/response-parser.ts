import type { CanonicalResponse, FinishReason, Usage } from '../../canonical/canonical-event';
import type { OpenAIChatCompletion, OpenAIUsage } from './openai-wire';

/** OpenAI `finish_reason` → canonical; `stop_reason` (vLLM) names the stop string that matched. */
export function mapFinishReason(
  reason: string | null | undefined,
  stopReason: unknown,
  hasToolCalls: boolean,
): { finishReason: FinishReason; stopSequence?: string } {
  switch (reason) {
    case 'length':
      return { finishReason: 'max_tokens' };
    case 'tool_calls':
    case 'function_call':
      return { finishReason: 'tool_use' };
    case 'content_filter':
      return { finishReason: 'content_filter' };
    case 'stop':
      if (typeof stopReason === 'string' && stopReason !== '') return { finishReason: 'stop_sequence', stopSequence: stopReason };
      return { finishReason: hasToolCalls ? 'tool_use' : 'end_turn' };
    case null:
    case undefined:
    default:
      return { finishReason: hasToolCalls ? 'tool_use' : 'end_turn' };
  }
}

/** OpenAI usage → canonical; missing counts are 0 (nothing is estimated). */
export function mapUsage(u: OpenAIUsage | null | undefined): Usage {
  const usage: Usage = { inputTokens: num(u?.prompt_tokens), outputTokens: num(u?.completion_tokens) };
  const cached = u?.prompt_tokens_details?.cached_tokens;
  if (typeof cached === 'number') usage.cachedInputTokens = cached;
  const reasoning = u?.completion_tokens_details?.reasoning_tokens;
  if (typeof reasoning === 'number') usage.reasoningTokens = reasoning;
  return usage;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/**
 * A parsed non-streaming chat completion → CanonicalResponse. Only choice 0 is read (`n` > 1 is not modelled).
 * Returns undefined when the body is not a chat completion at all.
 */
export function parseChatCompletion(json: unknown, fallbackModel: string): CanonicalResponse | undefined {
  if (!json || typeof json !== 'object') return undefined;
  const body = json as OpenAIChatCompletion;
  if (!Array.isArray(body.choices)) return undefined;
  const choice = body.choices.find((c) => (c.index ?? 0) === 0) ?? body.choices[0];
  const message = choice?.message;
  let text = '';
  if (typeof message?.content === 'string') text = message.content;
  else if (Array.isArray(message?.content)) {
    for (const part of message.content) if (typeof part?.text === 'string') text += part.text;
  }
  const toolCalls: CanonicalResponse['toolCalls'] = [];
  if (Array.isArray(message?.tool_calls)) {
    for (const call of message.tool_calls) {
      toolCalls.push({
        id: call.id ?? `call_${toolCalls.length}`,
        name: call.function?.name ?? '',
        arguments: call.function?.arguments ?? '',
      });
    }
  }
  const finish = mapFinishReason(choice?.finish_reason, choice?.stop_reason, toolCalls.length > 0);
  const response: CanonicalResponse = {
    upstreamModel: typeof body.model === 'string' && body.model !== '' ? body.model : fallbackModel,
    text,
    toolCalls,
    finishReason: finish.finishReason,
    stopSequence: finish.stopSequence,
    usage: mapUsage(body.usage),
  };
  return response;
}
