import { GatewayError, GatewayErrorCode } from '../../errors/gateway-error';

export interface ErrorContext {
  providerId: string;
  timeoutMs: number;
  connectTimeoutMs: number;
  /** The upstream API key: scrubbed from every message built from upstream or transport text. */
  secret?: string;
}

/** Why a request stopped on our side, as seen by the provider's deadline. */
export interface AbortState {
  timedOut: boolean;
  clientAborted: boolean;
}

const MAX_MESSAGE = 500;

export function redact(text: string, secret?: string): string {
  if (!secret || secret.length < 4) return text;
  return text.split(secret).join('[redacted]');
}

interface UpstreamErrorBody {
  message?: string;
  param?: string;
  code?: string;
}

/** Reads `{error:{message,param,code,type}}`, `{message}`, `{detail}` or plain text out of an upstream error body. */
export function readErrorBody(text: string): UpstreamErrorBody {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  try {
    const json = JSON.parse(trimmed) as Record<string, unknown>;
    const inner = json.error;
    const err = (inner && typeof inner === 'object' ? inner : json) as Record<string, unknown>;
    const message = [err.message, json.message, json.detail, typeof inner === 'string' ? inner : undefined].find(
      (m): m is string => typeof m === 'string' && m !== '',
    );
    const code = typeof err.code === 'string' ? err.code : typeof err.type === 'string' ? err.type : undefined;
    return { message, param: typeof err.param === 'string' ? err.param : undefined, code };
  } catch {
    return { message: trimmed };
  }
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

/** A non-2xx upstream answer → GatewayError. 4xx the caller caused keep their status and message. */
export function httpError(status: number, bodyText: string, ctx: ErrorContext): GatewayError {
  const parsed = readErrorBody(bodyText);
  const message = clip(redact(parsed.message ?? `HTTP ${status}`, ctx.secret));
  const id = ctx.providerId;
  const opts = { param: parsed.param, wireCode: parsed.code, status };
  if (status === 429) return new GatewayError(GatewayErrorCode.UpstreamOverloaded, `Upstream '${id}' is rate limiting: ${message}`, opts);
  if (status === 503 || status === 529) {
    return new GatewayError(GatewayErrorCode.UpstreamOverloaded, `Upstream '${id}' is overloaded: ${message}`, { wireCode: parsed.code });
  }
  if (status === 408 || status === 504) {
    return new GatewayError(GatewayErrorCode.UpstreamTimeout, `Upstream '${id}' timed out (HTTP ${status}): ${message}`);
  }
  if (status === 401 || status === 403) {
    // The gateway's own credentials were refused: nothing the caller can fix.
    return new GatewayError(GatewayErrorCode.UpstreamError, `Upstream '${id}' rejected the gateway's credentials (HTTP ${status}): ${message}`);
  }
  if (status === 404) return new GatewayError(GatewayErrorCode.NotFound, message, opts);
  if (status === 413) return new GatewayError(GatewayErrorCode.PayloadTooLarge, message, opts);
  if (status >= 400 && status < 500) return new GatewayError(GatewayErrorCode.InvalidRequest, message, opts);
  return new GatewayError(GatewayErrorCode.UpstreamError, `Upstream '${id}' failed (HTTP ${status}): ${message}`, {
    wireCode: parsed.code,
  });
}

/** An `{"error":{...}}` event inside a stream (or a 200 body) → GatewayError. */
export function payloadError(payload: unknown, ctx: ErrorContext): GatewayError {
  const parsed = readErrorBody(JSON.stringify({ error: payload }));
  const message = clip(redact(parsed.message ?? 'unknown error', ctx.secret));
  const overloaded = /overloaded|rate.?limit/i.test(`${parsed.code ?? ''} ${message}`);
  return new GatewayError(
    overloaded ? GatewayErrorCode.UpstreamOverloaded : GatewayErrorCode.UpstreamError,
    `Upstream '${ctx.providerId}' reported an error: ${message}`,
    { wireCode: parsed.code },
  );
}

export function invalidResponse(ctx: ErrorContext, detail: string): GatewayError {
  return new GatewayError(GatewayErrorCode.UpstreamError, `Upstream '${ctx.providerId}' sent an invalid response: ${detail}`);
}

/** Connection, timeout and abort failures from undici → GatewayError. `afterHeaders` = the response had begun. */
export function transportError(err: unknown, ctx: ErrorContext, state: AbortState, afterHeaders: boolean): GatewayError {
  const id = ctx.providerId;
  if (state.clientAborted) return new GatewayError(GatewayErrorCode.ClientClosed, 'The client closed the request.', { cause: err });
  const code = errorCode(err);
  if (state.timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new GatewayError(GatewayErrorCode.UpstreamTimeout, `Upstream '${id}' did not answer within ${ctx.timeoutMs} ms`, { cause: err });
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new GatewayError(
      GatewayErrorCode.UpstreamUnavailable,
      `Upstream '${id}' is unreachable: no connection within ${ctx.connectTimeoutMs} ms`,
      { cause: err },
    );
  }
  const reason = redact(describe(err), ctx.secret);
  if (afterHeaders) {
    return new GatewayError(GatewayErrorCode.UpstreamError, `Upstream '${id}' broke off the response: ${reason}`, { cause: err });
  }
  return new GatewayError(GatewayErrorCode.UpstreamUnavailable, `Upstream '${id}' is unreachable: ${reason}`, { cause: err });
}

function errorCode(err: unknown): string | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (err as { cause?: unknown }).cause;
  return cause && cause !== err ? errorCode(cause) : undefined;
}

function describe(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return [...new Set(err.errors.map((e) => describe(e)))].join('; ');
  }
  if (err instanceof Error) {
    if (err.message) return err.message;
    return errorCode(err) ?? err.name;
  }
  return String(err);
}
