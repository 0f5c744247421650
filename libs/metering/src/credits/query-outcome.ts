import { DatabaseError } from 'pg';

/** Errors of a connection that could not be made: the query was never sent. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether a failed query certainly changed nothing: the server answered with an error (a `DatabaseError` outside
 * SQLSTATE class 08, "connection exception": the statement's transaction rolled back), or no connection was made.
 * Otherwise (the connection broke while the query was out) it may have committed, and the caller must assume the
 * costlier outcome.
 */
export function certainlyNotApplied(err: unknown): boolean {
  if (err instanceof DatabaseError) return !String(err.code ?? '').startsWith('08');
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NOT_CONNECTED.has(code);
}
