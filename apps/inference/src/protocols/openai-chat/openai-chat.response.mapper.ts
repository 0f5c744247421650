import type { Charge, CompletionResult, FinishReason, Usage } from '@gw/inference';

/** The abliteration.ai metering fields, added at the top level of bodies and final stream events. */
export function chargeFields(c: Charge): { remaining_credits: number; estimated_credits_used: number; estimated_cost_usd: number } {
  return { remaining_credits: c.remainingCredits, estimated_credits_used: c.creditsUsed, estimated_cost_usd: c.costUsd };
}

export function finishReason(r: FinishReason): 'stop' | 'length' | 'tool_calls' | 'content_filter' {
  switch (r) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
  }
}

export function wireUsage(u: Usage): Record<string, unknown> {
  const usage: Record<string, unknown> = {
    prompt_tokens: u.inputTokens,
    completion_tokens: u.outputTokens,
    total_tokens: u.inputTokens + u.outputTokens,
  };
  if (u.cachedInputTokens !== undefined) usage.prompt_tokens_details = { cached_tokens: u.cachedInputTokens };
  if (u.reasoningTokens !== undefined) usage.completion_tokens_details = { reasoning_tokens: u.reasoningTokens };
  return usage;
}

/** Canonical result → `chat.completion` body. */
export function toChatCompletion(res: CompletionResult, id: string, model: string, created: number): Record<string, unknown> {
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: res.text.length || !res.toolCalls.length ? res.text : null,
    refusal: null,
  };
  if (res.toolCalls.length) {
    message.tool_calls = res.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  }
  return {
    id,
    object: 'chat.completion',
    created,
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(res.finishReason) }],
    usage: wireUsage(res.usage),
    ...(res.charge ? chargeFields(res.charge) : {}),
  };
}
