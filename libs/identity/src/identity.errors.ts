/** Error kinds, named as the gateway's `GatewayErrorCode` values so the renderers map them the same way. */
export type IdentityErrorKind = 'invalid_request' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'rate_limited' | 'unavailable';

const STATUS: Record<IdentityErrorKind, number> = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
};

/**
 * Thrown by the identity services. Compatible with the control app's renderer (`statusCode`,
 * `message`, `code` = the wire code) and with GatewayError's shape (`status`, `param`).
 */
export class IdentityError extends Error {
  readonly status: number;
  readonly statusCode: number;

  constructor(
    readonly kind: IdentityErrorKind,
    /** Wire code, e.g. `invalid_credentials`. */
    readonly code: string,
    message: string,
    readonly extra: { param?: string; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'IdentityError';
    this.status = STATUS[kind];
    this.statusCode = this.status;
  }

  get param(): string | undefined {
    return this.extra.param;
  }

  get retryAfterSeconds(): number | undefined {
    return this.extra.retryAfterSeconds;
  }

  static invalid(message: string, param: string): IdentityError {
    return new IdentityError('invalid_request', 'invalid_value', message, { param });
  }

  static invalidCredentials(): IdentityError {
    return new IdentityError('unauthenticated', 'invalid_credentials', 'Invalid email or password');
  }

  static unauthenticated(message = 'Missing or invalid credentials', code = 'invalid_token'): IdentityError {
    return new IdentityError('unauthenticated', code, message);
  }

  /** The identity store cannot be read (database down): a 503 the caller may retry, never a 401 or a 500. */
  static unavailable(cause: unknown): IdentityError {
    const err = new IdentityError('unavailable', 'service_unavailable', 'Authentication is temporarily unavailable; retry shortly', { retryAfterSeconds: 1 });
    err.cause = cause;
    return err;
  }

  static forbidden(message = 'Your role does not allow this action'): IdentityError {
    return new IdentityError('forbidden', 'forbidden', message);
  }

  static conflict(message: string, code: string, param?: string): IdentityError {
    return new IdentityError('conflict', code, message, param ? { param } : {});
  }

  /** Also for ids of other organisations: never a 403, which would confirm they exist (nor an echo of the id). */
  static userNotFound(): IdentityError {
    return new IdentityError('not_found', 'user_not_found', 'No such user in your organisation', { param: 'id' });
  }

  static keyNotFound(id: string): IdentityError {
    return new IdentityError('not_found', 'api_key_not_found', `No API key with id '${id}'`, { param: 'id' });
  }
}

export function isIdentityError(err: unknown): err is IdentityError {
  return err instanceof IdentityError;
}
