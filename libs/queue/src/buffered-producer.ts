import { Logger, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';

export interface BufferedProducerOptions {
  /** Enqueue as soon as this many records wait (e.g. AUDIT_BATCH_SIZE). */
  batchSize: number;
  /** Otherwise enqueue this long after the first waiting record (e.g. AUDIT_FLUSH_MS). */
  flushMs: number;
  /** Records kept while the queue is unreachable; beyond it, records are logged as lost. */
  maxBuffered: number;
}

/** What distinguishes one producer from another: its name in logs, job name and deterministic job id. */
export interface ProducerIdentity<T> {
  /** e.g. `audit`, `billing`: used in log lines (`AUDIT RECORD LOST ...`). */
  label: string;
  jobName: string;
  jobId(record: T): string;
}

const MAX_BACKOFF_MS = 5_000;

/** Resolves when `promise` settles or after `ms`, whichever comes first; leaves no timer behind. */
async function waitAtMost(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))));
  try {
    await Promise.race([promise?.catch(() => undefined) ?? timeout, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Hands records to a queue without ever blocking a request: `record()` buffers in memory
 * and returns; batches go out with one `addBulk` every `flushMs` or at `batchSize`. When the queue
 * is unreachable the records stay buffered and are retried with backoff (logged, never dropped
 * silently). Call `flush()` during shutdown; Nest does it in `beforeApplicationShutdown`.
 */
export class BufferedProducer<T> implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly log: Logger;
  private buffer: T[] = [];
  private sending = 0;
  private timer: NodeJS.Timeout | undefined;
  private pumping: Promise<void> | undefined;
  private failures = 0;
  private dropped = 0;
  private enqueued = 0;
  private closed = false;

  constructor(
    private readonly queue: Queue,
    private readonly identity: ProducerIdentity<T>,
    private readonly opts: BufferedProducerOptions,
  ) {
    this.log = new Logger(`${identity.label[0].toUpperCase()}${identity.label.slice(1)}Producer`);
  }

  /** Never throws, never waits. */
  record(rec: T): void {
    try {
      if (this.closed || this.buffer.length >= this.opts.maxBuffered) return this.lose(rec, this.closed ? 'producer closed' : 'buffer full');
      this.buffer.push(rec);
      // While the queue fails, keep to the backoff; otherwise send a full batch at once.
      this.schedule(this.failures ? this.backoffMs() : this.buffer.length >= this.opts.batchSize ? 0 : this.opts.flushMs);
    } catch (err) {
      this.log.error(`${this.identity.label} record could not be buffered: ${(err as Error).message} ${JSON.stringify(rec)}`);
    }
  }

  /** Records not yet accepted by the queue (buffered + being sent). */
  get pending(): number {
    return this.buffer.length + this.sending;
  }

  get stats(): { buffered: number; sending: number; enqueued: number; dropped: number; consecutiveFailures: number } {
    return { buffered: this.buffer.length, sending: this.sending, enqueued: this.enqueued, dropped: this.dropped, consecutiveFailures: this.failures };
  }

  /**
   * Sends everything buffered, retrying failed sends until `timeoutMs`.
   * @returns the number of records still not enqueued (0 on success); those are logged as lost.
   */
  async flush(timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending && Date.now() < deadline) {
      clearTimeout(this.timer);
      this.timer = undefined;
      // A send can hang (ioredis queues commands while Redis is away): never wait past the deadline.
      await waitAtMost(this.pump(), deadline - Date.now());
      if (this.pending && this.failures) await waitAtMost(undefined, Math.min(this.backoffMs(), deadline - Date.now()));
    }
    if (this.buffer.length) this.schedule(this.backoffMs()); // keep retrying after a timed-out flush
    return this.pending;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** Final flush; afterwards `record()` only logs. What could not be sent is logged as lost. */
  async close(timeoutMs = 10_000): Promise<void> {
    if (!this.closed) await this.flush(timeoutMs);
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const left = this.buffer.splice(0);
    for (const rec of left) this.lose(rec, 'queue unreachable at shutdown');
    if (this.sending) this.log.error(`${this.sending} ${this.identity.label} record(s) were still being enqueued when the producer closed`);
  }

  private schedule(delayMs: number): void {
    if (this.pumping || this.closed) return; // the running pump picks new records up
    if (this.timer) {
      if (delayMs > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.pump();
    }, delayMs);
  }

  private pump(): Promise<void> {
    this.pumping ??= (async () => {
      while (this.buffer.length && (await this.sendBatch()));
    })().finally(() => {
      this.pumping = undefined;
      if (this.buffer.length && !this.closed) this.schedule(this.failures ? this.backoffMs() : this.opts.flushMs);
    });
    return this.pumping;
  }

  private async sendBatch(): Promise<boolean> {
    const batch = this.buffer.splice(0, this.opts.batchSize);
    this.sending = batch.length;
    try {
      await this.queue.addBulk(batch.map((data) => ({ name: this.identity.jobName, data, opts: { jobId: this.identity.jobId(data) } })));
      this.enqueued += batch.length;
      if (this.failures) this.log.log(`${this.identity.label} queue reachable again after ${this.failures} failed attempt(s)`);
      this.failures = 0;
      return true;
    } catch (err) {
      this.buffer.unshift(...batch);
      this.failures++;
      this.log.warn(`${this.identity.label} enqueue failed (attempt ${this.failures}); ${this.buffer.length} record(s) kept for retry: ${(err as Error).message}`);
      return false;
    } finally {
      this.sending = 0;
    }
  }

  private backoffMs(): number {
    return Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.max(0, this.failures - 1));
  }

  /** Last resort: the record goes to the error log in full, so it can still be recovered from there. */
  private lose(rec: T, reason: string): void {
    this.dropped++;
    this.log.error(`${this.identity.label.toUpperCase()} RECORD LOST (${reason}; ${this.dropped} so far): ${JSON.stringify(rec)}`);
  }
}
