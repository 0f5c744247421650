import type { Job } from 'bullmq';
import { RETRYABLE_ATTEMPTS } from './queue.constants';
import { failureOf, invalidPayload, WriteFailureError, type WriteFailure } from './write-failure';

/** How one record of a batch job is parsed, written and dead-lettered (a `BatchWorker` provides it). */
export interface RecordSink<T> {
  parse(raw: unknown): T;
  /** Resolves once the record's write committed (it is batched with other jobs' records). */
  add(item: T): Promise<void>;
  /** `record`: which record of a batch job; absent, the job itself is the record. */
  deadLetter(job: Job<unknown, void>, record: DeadRecord | undefined, failure: WriteFailure): Promise<void>;
}

/** A record of a batch job as the dead-letter table keeps it (a replay enqueues it as a one-record job). */
export interface DeadRecord {
  key: string;
  jobName: string;
  payload: unknown;
}

/**
 * One record, whether a whole job or one of a batch job's: an invalid payload, or a write failing with a data error
 * (or a retryable one on the job's last attempt), is dead-lettered; any other failure throws (log-safe) for BullMQ
 * to retry the job.
 */
export async function processRecord<T>(job: Job<unknown, void>, raw: unknown, sink: RecordSink<T>, record?: DeadRecord): Promise<void> {
  let item: T;
  try {
    item = sink.parse(raw);
  } catch (err) {
    return sink.deadLetter(job, record, invalidPayload(err));
  }
  try {
    await sink.add(item);
  } catch (err) {
    const failure = failureOf(err);
    const lastAttempt = job.attemptsMade + 1 >= Math.min(RETRYABLE_ATTEMPTS, job.opts.attempts ?? 1);
    if (failure.kind === 'data' || (failure.kind === 'retryable' && lastAttempt)) return sink.deadLetter(job, record, failure);
    throw new WriteFailureError(failure);
  }
}

export interface BatchJobSpec {
  recordJobName: string;
  recordKey(raw: unknown): string;
}

/**
 * One batch job (`{ v: 1, records }`): every record is handled as its own job would be. An invalid record, or one
 * whose write fails with a data error (or a retryable one on the job's last attempt), is dead-lettered alone; the
 * others are written. If any write failed with a retryable error before the last attempt, the job fails and BullMQ
 * retries all of it: records already written are no-ops the second time (the writers are idempotent).
 */
export async function processBatchJob<T>(job: Job<unknown, void>, spec: BatchJobSpec, sink: RecordSink<T>): Promise<void> {
  const data = job.data as { v?: unknown; records?: unknown } | null;
  const records = data?.v === 1 && Array.isArray(data.records) ? (data.records as unknown[]) : null;
  const keyOf = (raw: unknown, i: number): string => {
    try {
      return spec.recordKey(raw);
    } catch {
      return `${String(job.id)}#${i}`;
    }
  };
  if (!records) {
    const failure = invalidPayload(new Error('batch job payload must be { v: 1, records: [...] }'));
    return sink.deadLetter(job, { key: String(job.id), jobName: job.name, payload: job.data }, failure);
  }
  const outcomes = await Promise.allSettled(
    records.map((raw, i) => processRecord(job, raw, sink, { key: keyOf(raw, i), jobName: spec.recordJobName, payload: raw })),
  );
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason; // log-safe (WriteFailureError or a dead-letter write failure); BullMQ retries
}
