import { BatchWorker, QUEUE_CONNECTION, type BatchWorkerOptions, type QueueConnection } from '@gw/queue';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { BILLING_QUEUE, parseUsageEntry } from './billing.queue';
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
 * deadlock). A failing batch is retried entry by entry so one bad entry cannot hold the others back.
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
  ) {
    const write = (entries: UsageEntry[]) => this.write(entries);
    this.worker = new BatchWorker(queue, { label: 'billing', queueName: BILLING_QUEUE, parse: parseUsageEntry, write }, { ...opts, maxConcurrentWrites: 1 });
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

  private async write(entries: UsageEntry[]): Promise<void> {
    try {
      await this.ledger.settleBatch(entries);
    } catch (err) {
      if (entries.length === 1) throw err;
      this.log.warn(`ledger batch of ${entries.length} failed (${(err as Error).message}); settling entry by entry`);
      const results = await Promise.allSettled(entries.map((e) => this.ledger.settleBatch([e])));
      const failed = results.filter((r) => r.status === 'rejected').length;
      if (failed) throw new Error(`${failed} of ${entries.length} ledger entries failed; their jobs will be retried`, { cause: err });
    }
  }

  private async sweep(): Promise<void> {
    try {
      const orgs = await this.ledger.sweepExpired();
      if (orgs) this.log.warn(`released ${orgs} expired credit reservation(s) of calls that never settled`);
    } catch (err) {
      this.log.warn(`reservation sweep failed: ${(err as Error).message}`);
    }
  }
}
