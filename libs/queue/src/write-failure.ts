import { messageTemplate } from '@gw/observability';

/** Re-exported: the queue's log lines and stored failure reasons use the same log-safe template. */
export { messageTemplate };

/**
 * What a failed write means for the rows in it, and how to talk about it without repeating them.
 *
 * - `unavailable`: the database cannot be reached or used at all (connection refused or lost,
 *   shutdown, out of disk, no privilege, missing table). No row is to blame: the batch is not split
 *   and nothing is dead-lettered; the jobs are retried with BullMQ's backoff, so an outage loses nothing.
 * - `data`: the row itself cannot be stored (SQLSTATE class 22 data exception, class 23 integrity
 *   violation, 54000 e.g. an index row too large, an invalid payload). The batch is split until the
 *   row is alone; then it is dead-lettered at once, since retrying cannot help.
 * - `retryable`: anything else (serialization failure, deadlock, lock timeout, a bug). The batch is
 *   split; a row that still fails alone is retried by BullMQ and dead-lettered on its last attempt.
 */
export type WriteFailureKind = 'unavailable' | 'data' | 'retryable';

export interface WriteFailure {
  kind: WriteFailureKind;
  /** SQLSTATE, a Node/driver error code (`ECONNREFUSED`), or `invalid_payload` / `unknown`. */
  code: string;
  /** The error message with every quoted or hex-escaped value removed, at most 200 characters. */
  message: string;
  /** Names of schema objects involved (never values): table, column, constraint, data type. */
  table?: string;
  column?: string;
  constraint?: string;
  dataType?: string;
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// 08 connection, 28 authorization, 3D no database, 53 insufficient resources, 57P0x shutdown/crash,
// 58 system I/O, 25006 read-only (failover), 42501 privilege revoked, 42P01 table missing.
const UNAVAILABLE_SQLSTATE = /^(08|28|3D|53|57P0|58|XX001|XX002)|^(25006|42501|42P01|42883|55000|55006)$/;
const DATA_SQLSTATE = /^(22|23)|^54000$/;
const UNAVAILABLE_MESSAGE =
  /connection terminated|connection (is )?not (established|open)|timeout exceeded when trying to connect|not queryable|after calling end on the pool|driver not connected|the server closed the connection|connect ECONNREFUSED/i;

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  table?: unknown;
  column?: unknown;
  constraint?: unknown;
  dataType?: unknown;
  driverError?: unknown;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;
const name = (v: unknown): string | undefined => (typeof v === 'string' && v ? safeIdentifier(v) : undefined);

/** Schema object names come from the database's catalogue, but keep them short and printable anyway. */
function safeIdentifier(v: string): string {
  return v.replace(/[^\w.$-]/g, '?').slice(0, 63);
}

/** Classifies a write error (pg, TypeORM's QueryFailedError around it, Node socket errors, others). */
export function classifyWriteError(err: unknown): WriteFailure {
  const outer = (err ?? {}) as ErrorLike;
  const e = (typeof outer.driverError === 'object' && outer.driverError !== null ? outer.driverError : outer) as ErrorLike;
  const rawCode = typeof e.code === 'string' ? e.code : typeof outer.code === 'string' ? outer.code : '';
  const rawMessage = typeof e.message === 'string' ? e.message : typeof outer.message === 'string' ? outer.message : String(err);
  const sqlstate = SQLSTATE.test(rawCode) ? rawCode : undefined;
  let kind: WriteFailureKind = 'retryable';
  if (sqlstate ? UNAVAILABLE_SQLSTATE.test(sqlstate) : UNAVAILABLE_CODES.has(rawCode) || UNAVAILABLE_MESSAGE.test(rawMessage)) kind = 'unavailable';
  else if (sqlstate && DATA_SQLSTATE.test(sqlstate)) kind = 'data';
  return {
    kind,
    code: sqlstate ?? (/^E[A-Z]+$/.test(rawCode) ? rawCode : 'unknown'),
    message: messageTemplate(rawMessage),
    table: name(e.table),
    column: name(e.column),
    constraint: name(e.constraint),
    dataType: name(e.dataType),
  };
}

/** A payload the worker's `parse` refused: it can never be written. `reason` must not quote values. */
export function invalidPayload(reason: unknown): WriteFailure {
  const message = reason instanceof Error ? reason.message : String(reason);
  return { kind: 'data', code: 'invalid_payload', message: messageTemplate(message) };
}

/** One log-safe phrase: `SQLSTATE 22021 (audit_event.model): invalid byte sequence for encoding "…": 0x…`. */
export function describeFailure(f: WriteFailure): string {
  const where = [f.table, f.column].filter(Boolean).join('.') || f.constraint || f.dataType;
  const code = SQLSTATE.test(f.code) ? `SQLSTATE ${f.code}` : f.code;
  return `${code}${where ? ` (${where})` : ''}: ${f.message}`;
}

/** An Error carrying a {@link WriteFailure}; its message is log-safe (BullMQ keeps it as `failedReason`). */
export class WriteFailureError extends Error {
  constructor(readonly failure: WriteFailure) {
    super(describeFailure(failure));
    this.name = 'WriteFailureError';
  }
}

/** The failure behind an error thrown by a write, whether already classified or not. */
export function failureOf(err: unknown): WriteFailure {
  return err instanceof WriteFailureError ? err.failure : classifyWriteError(err);
}
