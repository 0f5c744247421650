import { BatchWorker, DeadLetterStore, messageTemplate, QUEUE_CONNECTION, type BatchWorkerOptions, type QueueConnection } from '@gw/queue';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { BILLING_BATCH_JOB_NAME, BILLING_JOB_NAME, BILLING_QUEUE, billingJobId, parseUsageEntry } from './billing.queue';
import type { UsageEntry } from './ledger-entry';
import { LedgerRepository } from './ledger.repository';

export const LEDGER_PROCESSOR_OPTIONS = Symbol('LEDGER_PROCESSOR_OPTIONS');

export interface LedgerProcessorOptions extends BatchWorkerOptions {
  /** How often expired reservations (calls whose gateway died) are released. */
  sweepEveryMs: number;
}

/**
 * Writes usage entries to the ledger and settles their reservations, in batches of one transaction
 * each, one write at a time (account rows are locked in batch order, so concurrent batches could
 * deadlock). A failing batch is split by the {@link BatchWorker} down to single entries, still one
 * statement at a time, so one bad entry cannot hold the others back; an entry that fails alone is
 * dead-lettered. `settleBatch` is idempotent per entry id, so re-running a half that committed is a no-op.
 */
@Injectable()
export class LedgerProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(LedgerProcessor.name);
  private readonly worker: BatchWorker<UsageEntry>;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly ledger: LedgerRepository,
    @Inject(QUEUE_CONNECTION) queue: QueueConnection,
    @Inject(LEDGER_PROCESSOR_OPTIONS) private readonly opts: LedgerProcessorOptions,
    deadLetters?: DeadLetterStore, // provided by CreditsModule.forControl; tests may construct without
  ) {
    const write = (entries: UsageEntry[]) => this.ledger.settleBatch(entries);
    const batchJob = { name: BILLING_BATCH_JOB_NAME, recordJobName: BILLING_JOB_NAME, recordKey: (raw: unknown) => billingJobId((raw as UsageEntry).requestId) };
    const spec = { label: 'billing', queueName: BILLING_QUEUE, parse: parseUsageEntry, write, deadLetters, batchJob };
    this.worker = new BatchWorker(queue, spec, { ...opts, maxConcurrentWrites: 1 });
  }

  onApplicationBootstrap(): void {
    this.worker.start();
    this.sweeper = setInterval(() => void this.sweep(), this.opts.sweepEveryMs);
    this.sweeper.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweeper);
    await this.worker.close();
  }

  close(force = false): Promise<void> {
    clearInterval(this.sweeper);
    return this.worker.close(force);
  }

  waitUntilReady(): Promise<void> {
    return this.worker.waitUntilReady();
  }

  get stats() {
    return this.worker.stats;
  }

  private async sweep(): Promise<void> {
    try {
      const orgs = await this.ledger.sweepExpired();
      if (orgs) this.log.warn(`released ${orgs} expired credit reservation(s) of calls that never settled`);
    } catch (err) {
      this.log.warn(`reservation sweep failed: ${messageTemplate((err as Error).message)}`);
    }
  }
}
