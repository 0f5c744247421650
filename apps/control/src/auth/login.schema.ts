import { IdentityError } from '@gw/identity';

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
  if (email.length > 320 || password.length > 1024) throw IdentityError.invalidCredentials();
  return { email, password };
}
