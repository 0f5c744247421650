import { Logger } from '@nestjs/common';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { DeadLetterStore } from './dead-letter.store';
import { processBatchJob, processRecord, type DeadRecord, type RecordSink } from './batch-job';
import { MicroBatcher } from './micro-batcher.util';
import { cappedBackoff, PG_WORKER_LOCK_OPTIONS, PG_WORKER_MAX_CONCURRENCY, WORKER_LOCK_OPTIONS } from './queue.constants';
import type { QueueConnection } from './queue-backend';
import { writeSplitting, type SplitWriteStats } from './split-write.util';
import { describeFailure, failureOf, messageTemplate, WriteFailureError, type WriteFailure } from './write-failure';

export interface BatchWorkerOptions {
  /** Jobs processed at once; bounds how full a batch can get. */
  concurrency: number;
  /** Items per write. */
  batchSize: number;
  /** How long a partial batch waits for more jobs before it is written. */
  lingerMs: number;
  /** Writes in flight at once (each one transaction). 1 avoids lock-order deadlocks between batches. */
  maxConcurrentWrites: number;
}

export interface BatchWorkerSpec<T> {
  /** Used in log lines. */
  label: string;
  queueName: string;
  /** Validates a job payload; throws (message without values) for payloads that can never succeed. */
  parse(data: unknown): T;
  /** Writes a batch in one transaction; must be idempotent (jobs can be redelivered). */
  write(items: T[]): Promise<void>;
  /**
   * Where records that cannot be stored go (an invalid payload, or a row that fails on its own).
   * Without one such a job fails and stays in BullMQ's failed set.
   */
  deadLetters?: DeadLetterStore;
  /**
   * Jobs of this name carry many records (`{ v: 1, records }`, see `ProducerIdentity.batch`); each record is
   * parsed, written and dead-lettered on its own, as if it were a job named `recordJobName` with the id
   * `recordKey(raw)` (so a dead-letter replay enqueues it as such a job). Other jobs are single records.
   */
  batchJob?: { name: string; recordJobName: string; recordKey(raw: unknown): string };
}

/**
 * A BullMQ worker whose jobs are written in batches: each job hands its item to a micro-batcher and
 * completes only after the batch holding it was written, so a crash before the commit redelivers
 * the job, and the writer's idempotency makes the second write a no-op.
 *
 * Poison-proof: a failing batch is split down to single rows ({@link writeSplitting}), so one bad row
 * never holds the others back. A row that fails alone with a data error (or a retryable error on its
 * job's last attempt), or a payload `parse` refuses, is dead-lettered and its job completes; if the
 * database is unavailable nothing is dead-lettered and BullMQ retries with backoff. Log lines carry
 * the label, job id, SQLSTATE and object names, never the values (see `write-failure.ts`).
 */
export class BatchWorker<T> {
  private readonly log: Logger;
  private worker: Worker<unknown, void> | undefined;
  private readonly batcher: MicroBatcher<T>;
  private lockRenewalFailures = 0;
  private deadLettered = 0;
  private readonly split: SplitWriteStats = { writes: 0, splits: 0 };

  constructor(
    private readonly queue: QueueConnection,
    private readonly spec: BatchWorkerSpec<T>,
    private readonly opts: BatchWorkerOptions,
  ) {
    this.log = new Logger(`${spec.label[0].toUpperCase()}${spec.label.slice(1)}Worker`);
    this.batcher = new MicroBatcher((items) => writeSplitting(items, (xs) => spec.write(xs), this.split), {
      maxBatch: opts.batchSize,
      lingerMs: opts.lingerMs,
      maxConcurrentWrites: opts.maxConcurrentWrites,
    });
  }

  /** Starts consuming (idempotent). */
  start(): void {
    if (this.worker) return;
    const worker = new Worker<unknown, void>(this.spec.queueName, (job) => this.process(job), {
      connection: this.queue.workerConnection,
      prefix: this.queue.prefix,
      ...(this.queue.kind === 'postgres'
        ? { concurrency: Math.min(this.opts.concurrency, PG_WORKER_MAX_CONCURRENCY), ...PG_WORKER_LOCK_OPTIONS }
        : { concurrency: this.opts.concurrency, ...WORKER_LOCK_OPTIONS }),
      settings: { backoffStrategy: cappedBackoff },
    });
    worker.on('error', (err) => {
      // BullMQ renews the locks of a snapshot of the jobs in hand; jobs that completed meanwhile
      // (common on the Postgres backend, whose queries wait for a pool slot) report a failed
      // renewal. A really lost lock only means a redelivery, which the idempotent write absorbs.
      if (err.message.startsWith('could not renew lock')) {
        const n = ++this.lockRenewalFailures;
        if (Number.isInteger(Math.log10(n))) this.log.debug(`${err.message} (${n} so far; see stats.lockRenewalFailures)`);
        return;
      }
      this.log.error(`${this.spec.label} worker error: ${messageTemplate(err.message)}`);
    });
    worker.on('failed', (job, err) => {
      const made = job?.attemptsMade ?? 0;
      const of = job?.opts.attempts ?? 1;
      const what = `${this.spec.label} job ${job?.id ?? '?'} failed (attempt ${made} of ${of}): ${messageTemplate(err.message)}`;
      if (made >= of || err instanceof UnrecoverableError) this.log.error(`${what}; FAILED PERMANENTLY (kept in the failed set)`);
      // An outage retries every job for as long as it lasts: one line per job at attempts 1, 2, 4, 8...
      else if (Number.isInteger(Math.log2(made))) this.log.warn(what);
    });
    this.worker = worker;
  }

  /**
   * Stops taking jobs, waits for the jobs in hand and writes their batches.
   * `force` abandons the jobs in hand (they are redelivered after the lock expires), like a crash.
   */
  async close(force = false): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    await worker.close(force);
    if (!force) await this.batcher.drain();
  }

  /** Waits until the worker is connected and fetching. */
  async waitUntilReady(): Promise<void> {
    await this.worker?.waitUntilReady();
  }

  /** `written`: jobs whose row is stored; `deadLettered`: jobs whose record went to the dead-letter table. */
  get stats(): BatchWorkerStats {
    return { lockRenewalFailures: this.lockRenewalFailures, deadLettered: this.deadLettered, ...this.split, ...this.batcher.stats };
  }

  private async process(job: Job<unknown, void>): Promise<void> {
    const batch = this.spec.batchJob;
    if (batch && job.name === batch.name) return processBatchJob(job, batch, this.recordSink());
    return processRecord(job, job.data, this.recordSink());
  }

  /** What {@link processRecord} needs: parse, write (batched with other jobs' records) and dead-letter one record. */
  private recordSink(): RecordSink<T> {
    return {
      parse: (raw) => this.spec.parse(raw),
      add: (item) => this.batcher.add(item),
      deadLetter: (job, record, failure) => this.deadLetter(job, failure, record),
    };
  }

  /**
   * Stores the record (the job's, or `record` of a batch job) in the dead-letter table and lets it complete; if
   * that fails too, the job is retried.
   */
  private async deadLetter(job: Job<unknown, void>, failure: WriteFailure, record?: DeadRecord): Promise<void> {
    const attempts = job.attemptsMade + 1;
    const store = this.spec.deadLetters;
    if (!store) throw new UnrecoverableError(describeFailure(failure));
    const recordKey = record?.key ?? String(job.id);
    try {
      await store.put({
        queue: this.spec.queueName,
        recordKey,
        jobId: job.id ?? null,
        jobName: record?.jobName ?? job.name,
        payload: record ? record.payload : job.data,
        failure,
        attempts,
      });
    } catch (err) {
      const f = failureOf(err);
      throw new WriteFailureError({ ...f, message: `dead-letter write failed (${f.message}) for a record that failed with ${describeFailure(failure)}`.slice(0, 400) });
    }
    const n = ++this.deadLettered;
    const what = record ? `record ${recordKey} of job ${String(job.id)}` : `job ${String(job.id)}`;
    this.log.error(`${this.spec.label} ${what} DEAD-LETTERED after ${attempts} attempt(s): ${describeFailure(failure)} (${n} by this worker; table dead_letter)`);
  }
}

export interface BatchWorkerStats {
  lockRenewalFailures: number;
  deadLettered: number;
  /** Statements issued, and times a failing batch was split. */
  writes: number;
  splits: number;
  waiting: number;
  writesInFlight: number;
  written: number;
  batches: number;
}
