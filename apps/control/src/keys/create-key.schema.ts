import { IdentityError, isPlainText } from '@gw/identity';

export interface CreateKeyBody {
  label: string;
  rateLimitPerMinute: number | null;
  expiresAt: Date | null;
}

const FIELDS = new Set(['label', 'rate_limit_per_minute', 'expires_at']);
export const MAX_LABEL_LENGTH = 200;
export const MAX_RATE_LIMIT_PER_MINUTE = 1_000_000;

/** OpenAPI body of `POST /api/keys`. */
export const CREATE_KEY_BODY_SCHEMA = {
  type: 'object',
  required: ['label'],
  additionalProperties: false,
  properties: {
    label: { type: 'string', minLength: 1, maxLength: MAX_LABEL_LENGTH, description: 'no control characters', example: 'Support bot prod' },
    rate_limit_per_minute: { type: 'integer', minimum: 1, maximum: MAX_RATE_LIMIT_PER_MINUTE, nullable: true },
    expires_at: { type: 'string', format: 'date-time', nullable: true, description: 'must be in the future' },
  },
};

/** Hand checks; unknown fields are rejected; a 400 names the field. */
export function parseCreateKeyBody(body: unknown, now = Date.now()): CreateKeyBody {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw IdentityError.invalid('The request body must be a JSON object', '(body)');
  }
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).find((k) => !FIELDS.has(k));
  if (unknown) throw IdentityError.invalid(`Unknown parameter: '${unknown}'`, unknown);
  const { label, rate_limit_per_minute: rate, expires_at: expires } = fields;
  // Control characters (a NUL cannot even be stored) and lone surrogates would reach Postgres and logs.
  if (typeof label !== 'string' || !label.trim() || label.length > MAX_LABEL_LENGTH || !isPlainText(label)) {
    throw IdentityError.invalid(`Invalid 'label': expected a non-empty string of at most ${MAX_LABEL_LENGTH} printable characters`, 'label');
  }
  if (rate != null && !(Number.isSafeInteger(rate) && (rate as number) >= 1 && (rate as number) <= MAX_RATE_LIMIT_PER_MINUTE)) {
    throw IdentityError.invalid(`Invalid 'rate_limit_per_minute': expected an integer from 1 to ${MAX_RATE_LIMIT_PER_MINUTE}`, 'rate_limit_per_minute');
  }
  let expiresAt: Date | null = null;
  if (expires != null) {
    expiresAt = typeof expires === 'string' ? new Date(expires) : new Date(NaN);
    if (Number.isNaN(expiresAt.getTime())) throw IdentityError.invalid("Invalid 'expires_at': expected an ISO-8601 date-time", 'expires_at');
    if (expiresAt.getTime() <= now) throw IdentityError.invalid("Invalid 'expires_at': must be in the future", 'expires_at');
  }
  return { label: label.trim(), rateLimitPerMinute: (rate as number | null | undefined) ?? null, expiresAt };
}
