import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { BufferedProducer, type BufferedProducerOptions } from '@gw/queue';
import { BILLING_JOB_NAME, BILLING_QUEUE, billingJobId } from './billing.queue';
import { sanitizeUsageEntry, type UsageEntry } from './ledger-entry';

export const BILLING_PRODUCER_OPTIONS = Symbol('BILLING_PRODUCER_OPTIONS');

/** Usage entries onto the billing queue: sanitised, batched `addBulk`, never blocking, never dropped silently. */
@Injectable()
export class BillingProducer extends BufferedProducer<UsageEntry> {
  constructor(@InjectQueue(BILLING_QUEUE) queue: Queue, @Inject(BILLING_PRODUCER_OPTIONS) opts: BufferedProducerOptions) {
    super(queue, { label: 'billing', jobName: BILLING_JOB_NAME, jobId: (e) => billingJobId(e.requestId), prepare: sanitizeUsageEntry }, opts);
  }
}
