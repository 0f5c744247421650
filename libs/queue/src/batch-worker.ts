import { Logger } from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import { MicroBatcher } from './micro-batcher.util';
import { WORKER_LOCK_OPTIONS } from './queue.constants';
import type { QueueConnection } from './queue-backend';

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
  /** Validates a job payload; throw `UnrecoverableError` for payloads that can never succeed. */
  parse(data: unknown): T;
  /** Writes a batch in one transaction; must be idempotent (jobs can be redelivered). */
  write(items: T[]): Promise<void>;
}

/**
 * A BullMQ worker whose jobs are written in batches: each job hands its item to a micro-batcher and
 * completes only after the batch holding it was written, so a crash before the commit redelivers
 * the job, and the writer's idempotency makes the second write a no-op.
 */
export class BatchWorker<T> {
  private readonly log: Logger;
  private worker: Worker<unknown, void> | undefined;
  private readonly batcher: MicroBatcher<T>;
  private lockRenewalFailures = 0;

  constructor(
    private readonly queue: QueueConnection,
    private readonly spec: BatchWorkerSpec<T>,
    private readonly opts: BatchWorkerOptions,
  ) {
    this.log = new Logger(`${spec.label[0].toUpperCase()}${spec.label.slice(1)}Worker`);
    this.batcher = new MicroBatcher((items) => spec.write(items), {
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
      concurrency: this.opts.concurrency,
      ...WORKER_LOCK_OPTIONS,
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
      this.log.error(`${this.spec.label} worker error: ${err.message}`);
    });
    worker.on('failed', (job, err) =>
      this.log.warn(`${this.spec.label} job ${job?.id ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}): ${err.message}`),
    );
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

  get stats(): { lockRenewalFailures: number; waiting: number; writesInFlight: number; written: number; batches: number } {
    return { lockRenewalFailures: this.lockRenewalFailures, ...this.batcher.stats };
  }

  private async process(job: Job<unknown, void>): Promise<void> {
    await this.batcher.add(this.spec.parse(job.data));
  }
}
