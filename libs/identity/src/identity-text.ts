import { IdentityError } from './identity.errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** C0 controls (NUL included: Postgres text cannot hold it), DEL and C1 controls. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** A UTF-16 surrogate without its pair: not encodable as UTF-8. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Deliberately loose (one `@`, no spaces, a dot-free domain is fine on an intranet); delivery is not our job. */
const EMAIL = /^[^\s@]+@[^\s@]+$/;

export const MAX_EMAIL_LENGTH = 254;
export const MIN_PASSWORD_LENGTH = 8;
/** argon2 hashes anything, but a megabyte password is a denial-of-service vector, not a password. */
export const MAX_PASSWORD_LENGTH = 1024;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** True for text safe to store and log: no control character, no lone surrogate. */
export function isPlainText(value: string): boolean {
  return !CONTROL.test(value) && !LONE_SURROGATE.test(value);
}

export function isEmail(value: string): boolean {
  return value.length <= MAX_EMAIL_LENGTH && EMAIL.test(value) && isPlainText(value);
}

export function isAcceptablePassword(value: string): boolean {
  return value.length >= MIN_PASSWORD_LENGTH && value.length <= MAX_PASSWORD_LENGTH && isPlainText(value);
}

/** SQLSTATEs that mean "the caller sent something Postgres cannot take", never a server fault. */
const CALLER_FAULTS: Record<string, string> = {
  '22021': 'character not representable in the database (e.g. a NUL byte)',
  '22P05': 'character not representable in the database',
  '22001': 'value too long',
  '22P02': 'malformed value',
};

/** The SQLSTATE of a driver error (pg sets `code`; TypeORM wraps it in `driverError`). */
export function sqlState(err: unknown): string | undefined {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Rewrites a database error the caller caused into a 4xx {@link IdentityError} (400 naming `param`,
 * 409 for a unique violation, 401 when the acting user vanished: FK violation); rethrows the rest.
 */
export function rethrowCallerFault(err: unknown, param: string): never {
  const state = sqlState(err);
  if (state && CALLER_FAULTS[state]) throw IdentityError.invalid(`Invalid '${param}': ${CALLER_FAULTS[state]}`, param);
  if (state === '23505') throw IdentityError.conflict(`'${param}' is already taken`, 'already_exists', param);
  if (state === '23503') throw IdentityError.unauthenticated('The user of these credentials no longer exists', 'user_not_found');
  throw err;
}
