import type { Job } from 'bullmq';
import { RETRYABLE_ATTEMPTS } from './queue.constants';
import { failureOf, invalidPayload, WriteFailureError, type WriteFailure } from './write-failure';

/** How one record of a batch job is parsed, written and dead-lettered (a `BatchWorker` provides it). */
export interface RecordSink<T> {
  parse(raw: unknown): T;
  /** Resolves once the record's write committed (it is batched with other jobs' records). */
  add(item: T): Promise<void>;
  deadLetter(job: Job<unknown, void>, record: { key: string; jobName: string; payload: unknown }, failure: WriteFailure): Promise<void>;
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
  const lastAttempt = job.attemptsMade + 1 >= Math.min(RETRYABLE_ATTEMPTS, job.opts.attempts ?? 1);
  const outcomes = await Promise.allSettled(
    records.map(async (raw, i) => {
      let item: T;
      try {
        item = sink.parse(raw);
      } catch (err) {
        return sink.deadLetter(job, { key: keyOf(raw, i), jobName: spec.recordJobName, payload: raw }, invalidPayload(err));
      }
      try {
        await sink.add(item);
      } catch (err) {
        const failure = failureOf(err);
        if (failure.kind === 'data' || (failure.kind === 'retryable' && lastAttempt)) {
          return sink.deadLetter(job, { key: keyOf(raw, i), jobName: spec.recordJobName, payload: raw }, failure);
        }
        throw new WriteFailureError(failure);
      }
    }),
  );
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason; // log-safe (WriteFailureError or a dead-letter write failure); BullMQ retries
}
