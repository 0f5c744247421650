import type { CanonicalResponse, FinishReason, Usage } from '../../canonical/canonical-event';
import type { AnthropicMessage, AnthropicUsage } from './anthropic-wire';

/** Anthropic `stop_reason` → canonical. Unknown or missing reasons fall back on whether tools were called. */
export function mapStopReason(
  reason: string | null | undefined,
  stopSequence: string | null | undefined,
  hasToolCalls: boolean,
): { finishReason: FinishReason; stopSequence?: string } {
  switch (reason) {
    case 'end_turn':
    case 'pause_turn': // a server-tool loop paused: the turn ended as far as the client can act on it
      return { finishReason: 'end_turn' };
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return { finishReason: 'max_tokens' };
    case 'stop_sequence':
      return typeof stopSequence === 'string' ? { finishReason: 'stop_sequence', stopSequence } : { finishReason: 'stop_sequence' };
    case 'tool_use':
      return { finishReason: 'tool_use' };
    case 'refusal':
      return { finishReason: 'content_filter' };
    case null:
    case undefined:
    default:
      return { finishReason: hasToolCalls ? 'tool_use' : 'end_turn' };
  }
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/**
 * Anthropic usage → canonical. Anthropic's `input_tokens` excludes cached tokens, while canonical `inputTokens`
 * (like OpenAI's `prompt_tokens`) is the whole prompt, so cache reads and cache writes are added back in;
 * `cachedInputTokens` is the cache-read part. Missing counts are 0 (nothing is estimated).
 */
export function mapUsage(u: AnthropicUsage | null | undefined): Usage {
  const usage: Usage = {
    inputTokens: num(u?.input_tokens) + num(u?.cache_read_input_tokens) + num(u?.cache_creation_input_tokens),
    outputTokens: num(u?.output_tokens),
  };
  if (typeof u?.cache_read_input_tokens === 'number') usage.cachedInputTokens = u.cache_read_input_tokens;
  return usage;
}

/**
 * A non-streaming Messages answer → CanonicalResponse: text blocks are concatenated, `tool_use` blocks become tool
 * calls (`input` re-serialised as the arguments text), thinking and redacted thinking blocks become `reasoning`
 * (signatures kept: the caller must send them back), server-tool blocks are skipped.
 * Returns undefined when the body is not a message at all.
 */
export function parseAnthropicMessage(json: unknown, fallbackModel: string): CanonicalResponse | undefined {
  if (!json || typeof json !== 'object') return undefined;
  const msg = json as AnthropicMessage;
  if (!Array.isArray(msg.content)) return undefined;
  let text = '';
  const reasoning: NonNullable<CanonicalResponse['reasoning']> = [];
  const toolCalls: CanonicalResponse['toolCalls'] = [];
  for (const block of msg.content) {
    if (block?.type === 'text' && typeof block.text === 'string') text += block.text;
    else if (block?.type === 'thinking') {
      const signature = typeof block.signature === 'string' ? { signature: block.signature } : {};
      reasoning.push({ type: 'reasoning', text: typeof block.thinking === 'string' ? block.thinking : '', ...signature });
    } else if (block?.type === 'redacted_thinking' && typeof block.data === 'string') {
      reasoning.push({ type: 'redacted_reasoning', data: block.data });
    } else if (block?.type === 'tool_use') {
      toolCalls.push({
        id: typeof block.id === 'string' ? block.id : `toolu_${toolCalls.length}`,
        name: typeof block.name === 'string' ? block.name : '',
        arguments: JSON.stringify(block.input ?? {}),
      });
    }
  }
  const finish = mapStopReason(msg.stop_reason, msg.stop_sequence, toolCalls.length > 0);
  return {
    upstreamModel: typeof msg.model === 'string' && msg.model !== '' ? msg.model : fallbackModel,
    text,
    ...(reasoning.length > 0 && { reasoning }),
    toolCalls,
    finishReason: finish.finishReason,
    stopSequence: finish.stopSequence,
    usage: mapUsage(msg.usage),
  };
}
