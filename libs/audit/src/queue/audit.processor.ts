import { QUEUE_CONNECTION, WORKER_LOCK_OPTIONS, type QueueConnection } from '@gw/queue';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import type { AuditRecord } from '../audit-record';
import { AuditRepository } from '../audit.repository';
import { AUDIT_QUEUE, parseAuditJob } from './audit.queue';
import { MicroBatcher } from './micro-batcher.util';

export const AUDIT_PROCESSOR_OPTIONS = Symbol('AUDIT_PROCESSOR_OPTIONS');

export interface AuditProcessorOptions {
  /** Jobs processed at once (AUDIT_WORKER_CONCURRENCY); bounds how full a batch can get. */
  concurrency: number;
  /** Rows per INSERT (AUDIT_BATCH_SIZE). */
  batchSize: number;
  /** How long a partial batch waits for more jobs before it is written. */
  lingerMs: number;
  /** INSERT transactions in flight at once. */
  maxConcurrentWrites: number;
}

/**
 * Writes audit jobs to `audit_event`. A plain BullMQ Worker owned by this provider rather than
 * `@Processor`/`WorkerHost`: its concurrency comes from the validated config (a decorator is
 * evaluated at import time), and it is closed and drained in `onModuleDestroy`, i.e. before any
 * `onApplicationShutdown` hook (where TypeORM destroys the data source) can run.
 *
 * Each job hands its record to a micro-batcher and completes only after the batch committed;
 * a crash before that redelivers the job, and UNIQUE(request_id) makes the second write a no-op.
 */
@Injectable()
export class AuditProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(AuditProcessor.name);
  private worker: Worker<AuditRecord, void> | undefined;
  private readonly batcher: MicroBatcher<AuditRecord>;
  private inserted = 0;
  private lockRenewalFailures = 0;

  constructor(
    private readonly repository: AuditRepository,
    @Inject(QUEUE_CONNECTION) private readonly queue: QueueConnection,
    @Inject(AUDIT_PROCESSOR_OPTIONS) private readonly opts: AuditProcessorOptions,
  ) {
    this.batcher = new MicroBatcher((records) => this.write(records), {
      maxBatch: opts.batchSize,
      lingerMs: opts.lingerMs,
      maxConcurrentWrites: opts.maxConcurrentWrites,
    });
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  /** Starts consuming (idempotent). */
  start(): void {
    if (this.worker) return;
    const worker = new Worker<AuditRecord, void>(AUDIT_QUEUE, (job) => this.process(job), {
      connection: this.queue.workerConnection,
      prefix: this.queue.prefix,
      concurrency: this.opts.concurrency,
      ...WORKER_LOCK_OPTIONS,
    });
    worker.on('error', (err) => {
      // BullMQ renews the locks of a snapshot of the jobs in hand; jobs that completed meanwhile
      // (common on the Postgres backend, whose queries wait for a pool slot) report a failed
      // renewal. A really lost lock only means a redelivery, which UNIQUE(request_id) absorbs.
      if (err.message.startsWith('could not renew lock')) {
        const n = ++this.lockRenewalFailures;
        if (Number.isInteger(Math.log10(n))) this.log.debug(`${err.message} (${n} so far; see stats.lockRenewalFailures)`);
        return;
      }
      this.log.error(`audit worker error: ${err.message}`);
    });
    worker.on('failed', (job, err) =>
      this.log.warn(`audit job ${job?.id ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}): ${err.message}`),
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

  /** `written`: jobs whose batch committed; `inserted`: rows actually new (the rest were redeliveries). */
  get stats(): { inserted: number; lockRenewalFailures: number; waiting: number; writesInFlight: number; written: number; batches: number } {
    return { inserted: this.inserted, lockRenewalFailures: this.lockRenewalFailures, ...this.batcher.stats };
  }

  private async process(job: Job<AuditRecord, void>): Promise<void> {
    await this.batcher.add(parseAuditJob(job.data));
  }

  private async write(records: AuditRecord[]): Promise<void> {
    const inserted = await this.repository.insertBatch(records);
    this.inserted += inserted; // not `+= await`: that reads the old value before awaiting
  }
}
