import type { JobsOptions, WorkerOptions } from 'bullmq';

/** Every queue of the gateway. Producers and processors refer to queues only through these. */
export const QueueName = {
  Audit: 'audit',
  Billing: 'billing',
  /** Deliveries of chained audit events to SIEM connectors (seq ranges; control app). */
  AuditConnector: 'audit-connector',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** Longest pause between two attempts of a job (see {@link cappedBackoff}). */
export const RETRY_BACKOFF_CAP_MS = 30_000;
/** Attempts after which a failure that is neither the row's fault nor an outage is dead-lettered. */
export const RETRYABLE_ATTEMPTS = 8;

/**
 * Exponential from 0.5 s, capped at {@link RETRY_BACKOFF_CAP_MS}. Registered on every worker as BullMQ's
 * custom strategy (backoff type `capped`); a worker without it could not reschedule these jobs.
 */
export function cappedBackoff(attemptsMade: number): number {
  return Math.min(RETRY_BACKOFF_CAP_MS, Math.round(500 * 2 ** Math.max(0, attemptsMade - 1)));
}

/**
 * Defaults for every job: retried with a capped exponential backoff for as long as the database is
 * unavailable (10,000 attempts at most 30 s apart: days, so an outage of any plausible length loses
 * nothing; 8 attempts, ~1 min, used to send every job of a longer outage to the failed set, where
 * nothing retried it). Rows at fault are dead-lettered at once and other failures after
 * {@link RETRYABLE_ATTEMPTS}, by the worker. Completed jobs are kept for a bounded while (the window in
 * which a duplicate jobId is ignored), failed jobs for inspection.
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 10_000,
  backoff: { type: 'capped', delay: 500 },
  removeOnComplete: { age: 3_600, count: 5_000 },
  removeOnFail: false,
};

/**
 * Worker lock settings: BullMQ's defaults (30 s lock, 30 s stalled check) redeliver a job caught in
 * a crash after ~60 s; these make it ~5-7 s. A job may stall (crash) a few times before failing.
 */
export const WORKER_LOCK_OPTIONS = {
  lockDuration: 5_000,
  stalledInterval: 2_000,
  maxStalledCount: 10,
} as const satisfies Partial<WorkerOptions>;

/**
 * On BullMQ's Postgres backend (the embedded mode) every active job's lock renewal, every move and every fetch is a
 * Postgres transaction. With Redis's settings (5 s locks renewed every 2.5 s, hundreds of jobs in hand) a loaded
 * box could not renew in time: locks expired, jobs flipped between active and waiting ("not in the active state",
 * "lock mismatch") and the worker stopped progressing (seen in the embedded fuzz once the audit chain added its
 * round trips). Longer locks and fewer jobs in hand keep that load a few queries per second; a crashed job is
 * redelivered after ~15–25 s instead of ~5–7 s.
 */
export const PG_WORKER_LOCK_OPTIONS = {
  lockDuration: 15_000,
  stalledInterval: 7_500,
  maxStalledCount: 10,
} as const satisfies Partial<WorkerOptions>;

/** Most jobs a worker holds at once on the Postgres backend (see {@link PG_WORKER_LOCK_OPTIONS}). */
export const PG_WORKER_MAX_CONCURRENCY = 64;

/**
 * Deterministic job id for one kind of job about one request: `<requestId>.<kind>`. A retried
 * enqueue of the same request cannot create a second job while the first is retained.
 * BullMQ 6 rejects custom ids containing ':' (unless they split into exactly 3 parts, a legacy
 * exception), so `<requestId>:<kind>` is not usable; ':' and '%' in request ids are escaped.
 */
export function jobIdFor(requestId: string, kind: string): string {
  return `${requestId.replace(/%/g, '%25').replace(/:/g, '%3A')}.${kind}`;
}
