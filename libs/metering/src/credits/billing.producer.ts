import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { BufferedProducer, type BufferedProducerOptions } from '@gw/queue';
import { BILLING_BATCH_JOB_NAME, BILLING_JOB_NAME, BILLING_QUEUE, billingBatchJobId, billingJobId } from './billing.queue';
import { sanitizeUsageEntry, type UsageEntry } from './ledger-entry';

export const BILLING_PRODUCER_OPTIONS = Symbol('BILLING_PRODUCER_OPTIONS');

export interface BillingProducerOptions extends BufferedProducerOptions {
  /** The process's boot id (its replica lease), which names its batch jobs; a fresh id when absent. */
  bootId?: string;
}

/** Usage entries onto the billing queue: sanitised, one job per flushed batch, never blocking, never dropped silently. */
@Injectable()
export class BillingProducer extends BufferedProducer<UsageEntry> {
  constructor(@InjectQueue(BILLING_QUEUE) queue: Queue, @Inject(BILLING_PRODUCER_OPTIONS) opts: BillingProducerOptions) {
    const bootId = opts.bootId ?? randomUUID();
    const batch = { jobName: BILLING_BATCH_JOB_NAME, jobId: (seq: number) => billingBatchJobId(bootId, seq) };
    super(queue, { label: 'billing', jobName: BILLING_JOB_NAME, jobId: (e) => billingJobId(e.requestId), prepare: sanitizeUsageEntry, batch }, opts);
  }
}
