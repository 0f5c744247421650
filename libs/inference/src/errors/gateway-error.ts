/** Every failure the gateway reports; each maps once to an HTTP status and to each protocol's error type. */
export enum GatewayErrorCode {
  InvalidRequest = 'invalid_request',
  Unauthenticated = 'unauthenticated',
  PaymentRequired = 'payment_required',
  PermissionDenied = 'permission_denied',
  NotFound = 'not_found',
  PayloadTooLarge = 'payload_too_large',
  RateLimited = 'rate_limited',
  ClientClosed = 'client_closed',
  Internal = 'internal',
  UpstreamError = 'upstream_error',
  UpstreamUnavailable = 'upstream_unavailable',
  UpstreamOverloaded = 'upstream_overloaded',
  UpstreamTimeout = 'upstream_timeout',
}

export const GATEWAY_ERROR_STATUS: Record<GatewayErrorCode, number> = {
  [GatewayErrorCode.InvalidRequest]: 400,
  [GatewayErrorCode.Unauthenticated]: 401,
  [GatewayErrorCode.PaymentRequired]: 402,
  [GatewayErrorCode.PermissionDenied]: 403,
  [GatewayErrorCode.NotFound]: 404,
  [GatewayErrorCode.PayloadTooLarge]: 413,
  [GatewayErrorCode.RateLimited]: 429,
  [GatewayErrorCode.ClientClosed]: 499,
  [GatewayErrorCode.Internal]: 500,
  [GatewayErrorCode.UpstreamError]: 502,
  [GatewayErrorCode.UpstreamUnavailable]: 502,
  [GatewayErrorCode.UpstreamOverloaded]: 529,
  [GatewayErrorCode.UpstreamTimeout]: 504,
};

export interface GatewayErrorOptions {
  /** The offending request field, e.g. `messages[0].content` (OpenAI `param`). */
  param?: string;
  /** A machine-readable sub-code for the wire (`model_not_found`, `invalid_api_key`, ...). */
  wireCode?: string;
  /** HTTP status override (e.g. an upstream 4xx passed through). */
  status?: number;
  /** Seconds the caller should wait before retrying (sent as `Retry-After`), e.g. from an overloaded upstream. */
  retryAfterSeconds?: number;
  /** The OpenAI envelope's `type` when it is not the code's usual one (`policy_violation`). */
  wireType?: string;
  /** Top-level fields added beside the error envelope (the `policy` object of a policy refusal). */
  extra?: Record<string, unknown>;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly param?: string;
  readonly wireCode?: string;
  readonly status: number;
  readonly retryAfterSeconds?: number;
  readonly extra?: Record<string, unknown>;
  readonly wireType?: string;

  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    options: GatewayErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'GatewayError';
    this.param = options.param;
    this.wireCode = options.wireCode;
    this.status = options.status ?? GATEWAY_ERROR_STATUS[code];
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.extra = options.extra;
    this.wireType = options.wireType;
  }

  /** The same error with some options changed (errors are immutable: a layer that adds to one makes a copy). */
  with(changes: GatewayErrorOptions): GatewayError {
    const { param, wireCode, wireType, status, retryAfterSeconds, extra, cause } = this;
    return new GatewayError(this.code, this.message, { param, wireCode, wireType, status, retryAfterSeconds, extra, cause, ...changes });
  }

  static invalid(message: string, param?: string): GatewayError {
    return new GatewayError(GatewayErrorCode.InvalidRequest, message, { param });
  }

  static modelNotFound(model: string): GatewayError {
    return new GatewayError(GatewayErrorCode.NotFound, `The model '${model}' does not exist or you do not have access to it.`, {
      param: 'model',
      wireCode: 'model_not_found',
    });
  }
}

/**
 * An upstream's `Retry-After` (delta-seconds or an HTTP date) as whole seconds ≥ 1, capped at an hour;
 * undefined when absent or unreadable.
 */
export function parseRetryAfter(header: string | string[] | undefined, nowMs = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = /^\d+$/.test(value.trim()) ? Number(value.trim()) : (Date.parse(value) - nowMs) / 1000;
  return Number.isFinite(seconds) ? Math.min(3600, Math.max(1, Math.ceil(seconds))) : undefined;
}

/** The same error carrying the upstream's `Retry-After` (overload and rate-limit answers only). */
export function withRetryAfter(err: GatewayError, header: string | string[] | undefined): GatewayError {
  const retryAfterSeconds = err.code === GatewayErrorCode.UpstreamOverloaded ? parseRetryAfter(header) : undefined;
  if (retryAfterSeconds === undefined) return err;
  return err.with({ retryAfterSeconds });
}

export function isGatewayError(err: unknown): err is GatewayError {
  return err instanceof GatewayError;
}
