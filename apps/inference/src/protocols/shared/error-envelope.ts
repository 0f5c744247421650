import { HttpException } from '@nestjs/common';
import { GatewayError, GatewayErrorCode } from '@gw/inference';
import { EdgeError, formatJsonPath, JsonLimitError } from '@gw/observability';

const OPENAI_TYPE: Record<GatewayErrorCode, string> = {
  [GatewayErrorCode.InvalidRequest]: 'invalid_request_error',
  [GatewayErrorCode.Unauthenticated]: 'invalid_request_error',
  [GatewayErrorCode.PaymentRequired]: 'insufficient_quota',
  [GatewayErrorCode.PermissionDenied]: 'permission_error',
  [GatewayErrorCode.NotFound]: 'invalid_request_error',
  [GatewayErrorCode.PayloadTooLarge]: 'invalid_request_error',
  [GatewayErrorCode.RateLimited]: 'rate_limit_error',
  [GatewayErrorCode.ClientClosed]: 'invalid_request_error',
  [GatewayErrorCode.Internal]: 'server_error',
  [GatewayErrorCode.UpstreamError]: 'server_error',
  [GatewayErrorCode.UpstreamUnavailable]: 'server_error',
  [GatewayErrorCode.UpstreamOverloaded]: 'server_error',
  [GatewayErrorCode.UpstreamTimeout]: 'server_error',
};

const ANTHROPIC_TYPE: Record<GatewayErrorCode, string> = {
  [GatewayErrorCode.InvalidRequest]: 'invalid_request_error',
  [GatewayErrorCode.Unauthenticated]: 'authentication_error',
  [GatewayErrorCode.PaymentRequired]: 'billing_error',
  [GatewayErrorCode.PermissionDenied]: 'permission_error',
  [GatewayErrorCode.NotFound]: 'not_found_error',
  [GatewayErrorCode.PayloadTooLarge]: 'request_too_large',
  [GatewayErrorCode.RateLimited]: 'rate_limit_error',
  [GatewayErrorCode.ClientClosed]: 'invalid_request_error',
  [GatewayErrorCode.Internal]: 'api_error',
  [GatewayErrorCode.UpstreamError]: 'api_error',
  [GatewayErrorCode.UpstreamUnavailable]: 'api_error',
  [GatewayErrorCode.UpstreamOverloaded]: 'overloaded_error',
  [GatewayErrorCode.UpstreamTimeout]: 'timeout_error',
};

const BY_STATUS: Record<number, GatewayErrorCode> = {
  400: GatewayErrorCode.InvalidRequest,
  401: GatewayErrorCode.Unauthenticated,
  402: GatewayErrorCode.PaymentRequired,
  403: GatewayErrorCode.PermissionDenied,
  404: GatewayErrorCode.NotFound,
  413: GatewayErrorCode.PayloadTooLarge,
  429: GatewayErrorCode.RateLimited,
};

/** Fastify errors carry `statusCode` and a code such as FST_ERR_CTP_INVALID_JSON. */
interface HttpishError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/**
 * Normalises anything thrown into a {@link GatewayError}; unknown errors become a generic 500. A body
 * limit names its field in the envelope's notation: OpenAI's `param`, or the location Anthropic puts at
 * the start of its message.
 */
export function toGatewayError(err: unknown, envelope: Envelope = 'openai'): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof JsonLimitError) {
    if (envelope === 'anthropic') return GatewayError.invalid(`${formatJsonPath(err.path, 'dotted') || '(body)'}: Value ${err.problem}`);
    const param = formatJsonPath(err.path, 'openai') || '(body)';
    return GatewayError.invalid(`Invalid value for '${param}': ${err.problem}.`, param);
  }
  if (err instanceof EdgeError) {
    const code = BY_STATUS[err.statusCode] ?? GatewayErrorCode.InvalidRequest;
    return new GatewayError(code, err.message, { status: err.statusCode, wireCode: err.code });
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const code = BY_STATUS[status] ?? (status >= 500 ? GatewayErrorCode.Internal : GatewayErrorCode.InvalidRequest);
    return new GatewayError(code, err.message, { status });
  }
  const e = err as HttpishError;
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    if (/^FST_ERR_CTP_(INVALID|EMPTY)_JSON/.test(e.code ?? '') || err instanceof SyntaxError) {
      return GatewayError.invalid(`The request body is not valid JSON: ${e.message ?? 'parse error'}.`);
    }
    const code = BY_STATUS[e.statusCode] ?? GatewayErrorCode.InvalidRequest;
    return new GatewayError(code, e.message ?? 'Bad request', { status: e.statusCode, wireCode: e.code?.toLowerCase() });
  }
  return new GatewayError(GatewayErrorCode.Internal, 'The server had an error while processing your request.', { cause: err });
}

export type Envelope = 'openai' | 'anthropic';

/** Anthropic paths get Anthropic's envelope; every other path speaks OpenAI's. */
export function envelopeFor(url: string): Envelope {
  const path = url.split('?', 1)[0];
  return /^\/(policy\/)?(v1\/)?messages(\/|$)/.test(path) ? 'anthropic' : 'openai';
}

export function openAIStatus(err: GatewayError): number {
  return err.status === 529 ? 503 : err.status;
}

/**
 * OpenAI's envelope. Extra fields (a refusal's `policy`) sit beside `error`, as the spec shows, and inside it too:
 * the OpenAI SDKs keep only `error` on their exception (`err.error`), and a caller must be able to read why.
 */
export function openAIErrorBody(err: GatewayError): { error: Record<string, unknown> } {
  // An upstream's 429 reads as OpenAI's own rate-limit answer (type `requests`, code `rate_limit_exceeded`).
  const upstreamLimit = isUpstreamRateLimit(err);
  const type = upstreamLimit ? 'requests' : (err.wireType ?? OPENAI_TYPE[err.code]);
  const code = upstreamLimit ? 'rate_limit_exceeded' : (err.wireCode ?? err.code);
  return {
    error: { message: err.message, type, param: err.param ?? null, code, ...err.extra },
    ...err.extra,
  };
}

/** Anthropic's `error.type` for a failure (`invalid_request_error`, `overloaded_error`, ...). */
export function anthropicErrorType(err: GatewayError): string {
  return isUpstreamRateLimit(err) ? 'rate_limit_error' : ANTHROPIC_TYPE[err.code];
}

/** An upstream that answered 429: overloaded for retries and failover, but a rate limit on the wire. */
function isUpstreamRateLimit(err: GatewayError): boolean {
  return err.code === GatewayErrorCode.UpstreamOverloaded && err.status === 429;
}

/**
 * Anthropic's envelope. A refusal for credits also carries `error.code: insufficient_credits`, as the OpenAI envelope
 * does, so a client can tell an empty balance from the upstream's own billing error.
 */
export function anthropicErrorBody(err: GatewayError, requestId: string): Record<string, unknown> {
  const code = err.code === GatewayErrorCode.PaymentRequired && err.wireCode ? { code: err.wireCode } : {};
  return { type: 'error', error: { type: anthropicErrorType(err), message: err.message, ...code }, request_id: requestId, ...err.extra };
}

/** Status, body and extra headers (`Retry-After` from an overloaded upstream) for a failed request in the given envelope. */
export function renderError(err: GatewayError, envelope: Envelope, requestId: string): { status: number; body: unknown; headers?: Record<string, string> } {
  const headers = err.retryAfterSeconds !== undefined ? { 'retry-after': String(err.retryAfterSeconds) } : undefined;
  return envelope === 'anthropic'
    ? { status: err.status, body: anthropicErrorBody(err, requestId), headers }
    : { status: openAIStatus(err), body: openAIErrorBody(err), headers };
}

/**
 * For an error Node raised before the request line was seen (its path, so its protocol, is unknown): one body that
 * both SDKs read as their own envelope, `{type:"error", error:{type, message, param, code}, request_id}`.
 */
export function renderEitherEnvelope(err: GatewayError, requestId: string): { status: number; body: unknown; headers?: Record<string, string> } {
  const openai = renderError(err, 'openai', requestId);
  const anthropic = anthropicErrorBody(err, requestId);
  const error = { ...openAIErrorBody(err).error, type: anthropicErrorType(err) };
  return { ...openai, body: { ...anthropic, error } };
}
