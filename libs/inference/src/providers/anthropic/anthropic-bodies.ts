import type { Dispatcher } from 'undici';
import type { RequestDeadline } from '../../service/request-deadline';
import { invalidResponse, transportError, type ErrorContext } from '../openai-compatible/upstream-errors';
import { anthropicPayloadError } from './anthropic-errors';
import type { AnthropicErrorPayload } from './anthropic-wire';

/** Reads a whole JSON body; an error envelope (some servers answer 200 with one) becomes a GatewayError. */
export async function readJson(res: Dispatcher.ResponseData, deadline: RequestDeadline, ctx: ErrorContext): Promise<unknown> {
  let text: string;
  try {
    text = await res.body.text();
  } catch (err) {
    throw transportError(err, ctx, deadline, true);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalidResponse(ctx, 'the body is not JSON');
  }
  if (json && typeof json === 'object' && 'type' in json && json.type === 'error') {
    throw anthropicPayloadError((json as { error?: AnthropicErrorPayload }).error, ctx);
  }
  return json;
}

/** `{"input_tokens": n}` → n; anything else (a proxy's HTML page, a truncated body) → undefined. */
export function readInputTokens(text: string): number | undefined {
  try {
    const n = (JSON.parse(text) as { input_tokens?: unknown } | null)?.input_tokens;
    return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}
