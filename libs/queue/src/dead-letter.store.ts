import { safeText, sanitizeJson } from './sanitize.util';
import { describeFailure, type WriteFailure } from './write-failure';

/** What the store needs from a database handle (a TypeORM `DataSource` or `EntityManager` fits). */
export interface SqlRunner {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- drivers type rows loosely
  query(sql: string, params?: unknown[]): Promise<any>;
}

export interface DeadLetter {
  queue: string;
  /** Identifies the record within its queue; the worker uses the (deterministic) job id. */
  recordKey: string;
  jobId: string | null;
  /** The job's name, so a replay can re-enqueue it as it was. */
  jobName: string | null;
  /** The job payload as received; stored sanitised. */
  payload: unknown;
  failure: WriteFailure;
  /** Attempts the job had made when it was dead-lettered (this one included). */
  attempts: number;
}

export interface DeadLetterRow {
  queue: string;
  recordKey: string;
  jobId: string | null;
  jobName: string | null;
  payload: unknown;
  errorCode: string;
  errorMessage: string;
  attempts: number;
  failures: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
  replayedAt: Date | null;
}

/** Payloads above this size are stored as a stub (the error and the key still identify the record). */
const MAX_PAYLOAD_CHARS = 1_048_576;

/**
 * Upsert: a record dead-lettered again (e.g. after a replay) bumps `failures`, refreshes the error and
 * `last_failed_at`, and is open again (`replayed_at` cleared).
 */
const PUT_SQL = `
INSERT INTO dead_letter (queue, record_key, job_id, job_name, payload, error_code, error_message, attempts)
VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)
ON CONFLICT (queue, record_key) DO UPDATE SET
  job_id = EXCLUDED.job_id, job_name = EXCLUDED.job_name, payload = EXCLUDED.payload, error_code = EXCLUDED.error_code,
  error_message = EXCLUDED.error_message, attempts = EXCLUDED.attempts,
  failures = dead_letter.failures + 1, last_failed_at = now(), replayed_at = NULL`;

/**
 * The `dead_letter` table: rows a writer could not store on their own, kept with a sanitised error
 * (SQLSTATE, object names, message template: never the values) so that nothing is dropped silently.
 * Every value that goes in is sanitised, so this insert cannot fail on the data it carries.
 */
export class DeadLetterStore {
  constructor(private readonly db: SqlRunner) {}

  async put(d: DeadLetter): Promise<void> {
    let payload = JSON.stringify(sanitizeJson(d.payload) ?? null);
    if (payload.length > MAX_PAYLOAD_CHARS) payload = JSON.stringify({ truncated: true, chars: payload.length });
    const key = (s: string) => safeText(s, 1_000);
    const opt = (s: string | null) => (s === null ? null : key(s));
    await this.db.query(PUT_SQL, [key(d.queue), key(d.recordKey), opt(d.jobId), opt(d.jobName), payload, d.failure.code, describeFailure(d.failure), d.attempts]);
  }

  /** Per queue: `open` (not replayed) and `total` records, and `failures` (sum of the counts). */
  async counts(): Promise<Record<string, { open: number; total: number; failures: number }>> {
    const rows = await this.db.query(
      `SELECT queue, count(*) FILTER (WHERE replayed_at IS NULL)::int AS open, count(*)::int AS total, COALESCE(sum(failures), 0)::int AS failures
         FROM dead_letter GROUP BY queue ORDER BY queue`,
    );
    const out: Record<string, { open: number; total: number; failures: number }> = {};
    for (const r of rows as Array<{ queue: string; open: number; total: number; failures: number }>) out[r.queue] = { open: r.open, total: r.total, failures: r.failures };
    return out;
  }

  /** Open records of a queue, oldest first. */
  async listOpen(queue: string, limit = 1_000): Promise<DeadLetterRow[]> {
    const rows = await this.db.query(
      `SELECT queue, record_key, job_id, job_name, payload, error_code, error_message, attempts, failures, first_failed_at, last_failed_at, replayed_at
         FROM dead_letter WHERE queue = $1 AND replayed_at IS NULL ORDER BY first_failed_at, id LIMIT $2`,
      [queue, limit],
    );
    return (rows as Array<Record<string, unknown>>).map((r) => ({
      queue: r.queue as string,
      recordKey: r.record_key as string,
      jobId: (r.job_id as string | null) ?? null,
      jobName: (r.job_name as string | null) ?? null,
      payload: r.payload,
      errorCode: r.error_code as string,
      errorMessage: r.error_message as string,
      attempts: Number(r.attempts),
      failures: Number(r.failures),
      firstFailedAt: r.first_failed_at as Date,
      lastFailedAt: r.last_failed_at as Date,
      replayedAt: (r.replayed_at as Date | null) ?? null,
    }));
  }

  /** Marks records as handed back to their queue (`replayed: false` re-opens them; so does a new failure). */
  async markReplayed(queue: string, recordKeys: string[], replayed = true): Promise<number> {
    const rows = await this.db.query(
      `UPDATE dead_letter SET replayed_at = CASE WHEN $3 THEN now() END WHERE queue = $1 AND record_key = ANY($2::text[]) RETURNING 1`,
      [queue, recordKeys, replayed],
    );
    return Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : (rows as unknown[]).length;
  }
}
