import { BatchWorker, DeadLetterStore, QUEUE_CONNECTION, type BatchWorkerOptions, type BatchWorkerStats, type QueueConnection } from '@gw/queue';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { AuditRecord } from '../audit-record';
import { AuditRepository } from '../audit.repository';
import { AUDIT_BATCH_JOB_NAME, AUDIT_JOB_NAME, AUDIT_QUEUE, auditRecordJobId, parseAuditJob } from './audit.queue';

export const AUDIT_PROCESSOR_OPTIONS = Symbol('AUDIT_PROCESSOR_OPTIONS');
export type AuditProcessorOptions = BatchWorkerOptions;

/**
 * Writes audit jobs to `audit_event` through a {@link BatchWorker} owned by this provider rather than
 * `@Processor`/`WorkerHost`: its concurrency comes from the validated config (a decorator is
 * evaluated at import time), and it is closed and drained in `onModuleDestroy`, i.e. before any
 * `onApplicationShutdown` hook (where TypeORM destroys the data source) can run.
 * UNIQUE(request_id) makes a redelivered job's second write a no-op. Rows that cannot be stored go
 * to `deadLetters` (see {@link BatchWorker}).
 */
@Injectable()
export class AuditProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly worker: BatchWorker<AuditRecord>;
  private inserted = 0;

  constructor(
    repository: AuditRepository,
    @Inject(QUEUE_CONNECTION) queue: QueueConnection,
    @Inject(AUDIT_PROCESSOR_OPTIONS) opts: AuditProcessorOptions,
    deadLetters?: DeadLetterStore, // provided by AuditProcessorModule; tests may construct without
  ) {
    const write = async (records: AuditRecord[]) => {
      const inserted = await repository.insertBatch(records);
      this.inserted += inserted; // not `+= await`: that reads the old value before awaiting
    };
    const batchJob = { name: AUDIT_BATCH_JOB_NAME, recordJobName: AUDIT_JOB_NAME, recordKey: (raw: unknown) => auditRecordJobId(raw as AuditRecord) };
    this.worker = new BatchWorker(queue, { label: 'audit', queueName: AUDIT_QUEUE, parse: parseAuditJob, write, deadLetters, batchJob }, opts);
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  /** Starts consuming (idempotent). */
  start(): void {
    this.worker.start();
  }

  /** Stops taking jobs and writes the jobs in hand; `force` abandons them (redelivered later), like a crash. */
  close(force = false): Promise<void> {
    return this.worker.close(force);
  }

  waitUntilReady(): Promise<void> {
    return this.worker.waitUntilReady();
  }

  /** `written`: jobs whose batch committed; `inserted`: rows actually new (the rest were redeliveries). */
  get stats(): BatchWorkerStats & { inserted: number } {
    return { inserted: this.inserted, ...this.worker.stats };
  }
}
