import { IdentityError, isPlainText, MAX_PASSWORD_LENGTH } from '@gw/identity';

export interface LoginBody {
  email: string;
  password: string;
}

/** OpenAPI body of `POST /api/auth/login`. */
export const LOGIN_BODY_SCHEMA = {
  type: 'object',
  required: ['email', 'password'],
  properties: { email: { type: 'string', example: 'admin@example.com' }, password: { type: 'string', format: 'password' } },
};

export const TOKEN_RESPONSE_SCHEMA = {
  type: 'object',
  properties: {
    access_token: { type: 'string' },
    token_type: { type: 'string', enum: ['Bearer'] },
    expires_in: { type: 'integer', description: 'seconds' },
  },
};

/** Hand checks (two fields); a 400 names the field. */
export function parseLoginBody(body: unknown): LoginBody {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw IdentityError.invalid('The request body must be a JSON object', '(body)');
  }
  const { email, password } = body as Record<string, unknown>;
  if (typeof email !== 'string' || !email.trim()) throw IdentityError.invalid("Missing or invalid 'email': expected a non-empty string", 'email');
  if (typeof password !== 'string' || !password) throw IdentityError.invalid("Missing or invalid 'password': expected a non-empty string", 'password');
  // No account has such an email: refuse before any lookup (a NUL would not even reach Postgres). The
  // password only goes to argon2, and older accounts may have any characters in theirs.
  if (!isPlainText(email)) throw IdentityError.invalid("Invalid 'email': control characters are not allowed", 'email');
  if (email.length > 320 || password.length > MAX_PASSWORD_LENGTH) throw IdentityError.invalidCredentials();
  return { email, password };
}
