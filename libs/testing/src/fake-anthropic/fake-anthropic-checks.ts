import type { MessagesRequestBody } from './fake-anthropic-replies';
import type { FakeAnthropicBehaviour } from './fake-anthropic.types';

/** What the fake refuses: the failure behaviours' answers, count_tokens' fields, thinking lost in a tool loop. */

export type Failure = { status: number; type: string; message: string };
export const FAILURES: Partial<Record<FakeAnthropicBehaviour, Failure>> = {
  'fail-400': { status: 400, type: 'invalid_request_error', message: 'messages.0.content: fake rejection.' },
  'fail-403': { status: 403, type: 'permission_error', message: 'Your API key does not have permission to use this model (fake).' },
  'fail-404': { status: 404, type: 'not_found_error', message: 'model: fake-upstream-model-name' },
  'fail-413': { status: 413, type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes (fake).' },
  'fail-429': { status: 429, type: 'rate_limit_error', message: 'Number of request tokens has exceeded your rate limit (fake).' },
  'fail-500': { status: 500, type: 'api_error', message: 'Internal server error (fake).' },
  'fail-503': { status: 503, type: 'overloaded_error', message: 'Service unavailable (fake).' },
  'fail-529': { status: 529, type: 'overloaded_error', message: 'Overloaded (fake).' },
};

/** What count_tokens accepts; like Anthropic, anything else is a 400 "Extra inputs are not permitted". */
export const COUNT_FIELDS = new Set(['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'context_management', 'mcp_servers', 'output_config', 'output_format']);

interface Block {
  type?: string;
  thinking?: unknown;
  signature?: unknown;
}

const blocksOf = (content: unknown): Block[] => (Array.isArray(content) ? (content as Block[]) : []);

/**
 * What Anthropic checks about thinking in a tool loop, so tests catch a gateway that loses it: with thinking on
 * (`enabled` or `adaptive`), when the request answers tool calls, the assistant turn that made them must start with a
 * thinking or redacted_thinking block, and every thinking block there must carry a signature this fake issued for
 * exactly that text (`issued`: signature → thinking). Returns the 400 message, or undefined when the body is fine.
 */
export function thinkingProblem(body: MessagesRequestBody, issued: ReadonlyMap<string, string>): string | undefined {
  const type = body.thinking?.type;
  if (type !== 'enabled' && type !== 'adaptive') return undefined;
  const messages = body.messages ?? [];
  const last = messages.at(-1);
  if (last?.role !== 'user' || !blocksOf(last.content).some((b) => b.type === 'tool_result')) return undefined;
  const at = messages.length - 2;
  const turn = blocksOf(messages[at]?.content);
  if (messages[at]?.role !== 'assistant' || !turn.some((b) => b.type === 'tool_use')) return undefined;
  if (turn[0]?.type !== 'thinking' && turn[0]?.type !== 'redacted_thinking') {
    return `messages.${at}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(turn[0]?.type)}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (fake).`;
  }
  const bad = turn.findIndex((b) => b.type === 'thinking' && (typeof b.signature !== 'string' || issued.get(b.signature) !== b.thinking));
  return bad < 0 ? undefined : `messages.${at}.content.${bad}: Invalid \`signature\` in \`thinking\` block (fake).`;
}
