import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { BufferedProducer, type BufferedProducerOptions } from '@gw/queue';
import type { AuditRecord } from '../audit-record';
import { sanitizeAuditRecord } from '../audit-record.sanitize';
import { AUDIT_BATCH_JOB_NAME, AUDIT_JOB_NAME, AUDIT_QUEUE, auditBatchJobId, auditRecordJobId } from './audit.queue';

export const AUDIT_PRODUCER_OPTIONS = Symbol('AUDIT_PRODUCER_OPTIONS');
export type AuditProducerOptions = BufferedProducerOptions;

/** Audit records onto the audit queue: sanitised, one job per flushed batch, never blocking, never dropped silently. */
@Injectable()
export class AuditProducer extends BufferedProducer<AuditRecord> {
  constructor(@InjectQueue(AUDIT_QUEUE) queue: Queue, @Inject(AUDIT_PRODUCER_OPTIONS) opts: AuditProducerOptions) {
    const producer = randomUUID();
    const batch = { jobName: AUDIT_BATCH_JOB_NAME, jobId: (seq: number) => auditBatchJobId(producer, seq) };
    super(queue, { label: 'audit', jobName: AUDIT_JOB_NAME, jobId: auditRecordJobId, prepare: sanitizeAuditRecord, batch }, opts);
  }
}
