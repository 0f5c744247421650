import type { JobsOptions, WorkerOptions } from 'bullmq';

/** Every queue of the gateway. Producers and processors refer to queues only through these. */
export const QueueName = {
  Audit: 'audit',
  Billing: 'billing',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/**
 * Defaults for every job: retried with exponential backoff (0.5 s, 1 s, 2 s ... ~1 min in total),
 * completed jobs kept for a bounded while (the window in which a duplicate jobId is ignored),
 * failed jobs kept for inspection from the control plane.
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 500 },
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
 * Deterministic job id for one kind of job about one request: `<requestId>.<kind>`. A retried
 * enqueue of the same request cannot create a second job while the first is retained.
 * BullMQ 6 rejects custom ids containing ':' (unless they split into exactly 3 parts, a legacy
 * exception), so `<requestId>:<kind>` is not usable; ':' and '%' in request ids are escaped.
 */
export function jobIdFor(requestId: string, kind: string): string {
  return `${requestId.replace(/%/g, '%25').replace(/:/g, '%3A')}.${kind}`;
}
