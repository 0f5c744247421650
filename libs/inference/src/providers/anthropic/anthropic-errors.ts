import { GatewayError, GatewayErrorCode } from '../../errors/gateway-error';
import { readErrorBody, redact, type ErrorContext } from '../openai-compatible/upstream-errors';
import type { AnthropicErrorPayload } from './anthropic-wire';

const MAX_MESSAGE = 500;

function clip(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

/** What the provider logs and what the caller sees can differ (a 404 hides the upstream's model name). */
export interface MappedHttpError {
  error: GatewayError;
  /** The upstream's own (redacted) words, for the operator's log. */
  detail: string;
}

/**
 * A non-2xx answer with an Anthropic envelope `{type:"error", error:{type, message}}` (or any body) → GatewayError.
 * The error `type` becomes `wireCode`. `model` is the caller's model name, used for the not-found message.
 */
export function anthropicHttpError(status: number, bodyText: string, ctx: ErrorContext, model: string): MappedHttpError {
  const parsed = readErrorBody(bodyText);
  const detail = clip(redact(parsed.message ?? `HTTP ${status}`, ctx.secret));
  const id = ctx.providerId;
  const wire = { wireCode: parsed.code };
  const at = (code: GatewayErrorCode, message: string, status?: number): MappedHttpError => ({
    error: new GatewayError(code, message, { ...wire, status }),
    detail,
  });
  if (status === 429) return at(GatewayErrorCode.UpstreamOverloaded, `Upstream '${id}' is rate limiting: ${detail}`, 429);
  if (status === 503 || status === 529) return at(GatewayErrorCode.UpstreamOverloaded, `Upstream '${id}' is overloaded: ${detail}`);
  if (status === 408 || status === 504) return at(GatewayErrorCode.UpstreamTimeout, `Upstream '${id}' timed out (HTTP ${status}): ${detail}`);
  if (status === 401 || status === 402 || status === 403) {
    // The gateway's own key or account was refused: nothing the caller can fix, and never the caller's 401.
    return at(GatewayErrorCode.UpstreamError, `Upstream '${id}' rejected the gateway's credentials (HTTP ${status}): ${detail}`);
  }
  if (status === 404) {
    // Anthropic answers 404 for an unknown model; the caller sees its own model name, the log the upstream's text.
    return { error: GatewayError.modelNotFound(model), detail };
  }
  if (status === 413) return at(GatewayErrorCode.PayloadTooLarge, detail, 413);
  if (status >= 400 && status < 500) return at(GatewayErrorCode.InvalidRequest, detail, status);
  return at(GatewayErrorCode.UpstreamError, `Upstream '${id}' failed (HTTP ${status}): ${detail}`);
}

/** A mid-stream `event: error` (or a 200 body that is an error envelope) → GatewayError, classified by error type. */
export function anthropicPayloadError(payload: AnthropicErrorPayload | undefined, ctx: ErrorContext): GatewayError {
  const type = typeof payload?.type === 'string' ? payload.type : undefined;
  const text = typeof payload?.message === 'string' && payload.message !== '' ? payload.message : 'unknown error';
  const message = `Upstream '${ctx.providerId}' reported an error: ${clip(redact(text, ctx.secret))}`;
  const opts = { wireCode: type };
  switch (type) {
    case 'overloaded_error':
      return new GatewayError(GatewayErrorCode.UpstreamOverloaded, message, opts);
    case 'rate_limit_error':
      return new GatewayError(GatewayErrorCode.UpstreamOverloaded, message, { ...opts, status: 429 });
    case 'invalid_request_error':
      return new GatewayError(GatewayErrorCode.InvalidRequest, message, opts);
    case 'request_too_large':
      return new GatewayError(GatewayErrorCode.PayloadTooLarge, message, opts);
    case 'timeout_error':
      return new GatewayError(GatewayErrorCode.UpstreamTimeout, message, opts);
    case undefined:
    default:
      return new GatewayError(GatewayErrorCode.UpstreamError, message, opts);
  }
}
