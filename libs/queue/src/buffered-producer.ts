import { Logger, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { DeferredWork } from './deferred-work';
import { type BatchJobData, type BufferedProducerOptions, type FlushableProducer, type ProducerIdentity } from './producer-types';
import { waitAtMost } from './wait-at-most';
import { sanitizeJson } from './sanitize.util';
import { Watermark } from './watermark';
import { messageTemplate } from './write-failure';
import { RecordLoss } from './record-loss';

export type { BatchJobData, BufferedProducerOptions, FlushableProducer, ProducerIdentity } from './producer-types';

const MAX_BACKOFF_MS = 5_000;
/** How long a batch waits for its predecessor's records (see {@link BufferedProducer.enqueueAfter}) before going anyway. */
const PREDECESSOR_WAIT_MS = 5_000;

/**
 * Hands records to a queue without ever blocking a request: `record()` buffers in memory
 * and returns; batches go out every `flushMs` or at `batchSize`, as one batch job (`identity.batch`) or one
 * `addBulk` of one job per record. When the queue
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
  private enqueued = 0;
  private closed = false;
  private predecessor: FlushableProducer | undefined;
  private batchSeq = 0;
  private readonly out = new Watermark();
  private readonly lost: RecordLoss<T>;
  private readonly later = new DeferredWork((err) => this.lost.unbuilt('its deferred builder failed', err));

  constructor(
    private readonly queue: Queue,
    private readonly identity: ProducerIdentity<T>,
    private readonly opts: BufferedProducerOptions,
  ) {
    this.log = new Logger(`${identity.label[0].toUpperCase()}${identity.label.slice(1)}Producer`);
    this.lost = new RecordLoss(this.log, identity.label, (rec: T) => identity.jobId(rec));
    // A connection error with no listener reached BullMQ's last resort (`console.error` of the raw error, once per
    // dropped connection, e.g. on a Postgres restart). Failed sends already report and retry; this says it once, at debug.
    queue.on('error', (err: Error) => this.log.debug(`${identity.label} queue connection: ${messageTemplate(err.message)}`));
  }

  /** Never throws, never waits. */
  record(raw: T): void {
    try {
      const rec = this.identity.prepare ? this.identity.prepare(raw) : (sanitizeJson(raw) as T);
      if (this.closed || this.buffer.length >= this.opts.maxBuffered) return this.lost.record(rec, this.closed ? 'producer closed' : 'buffer full');
      this.buffer.push(rec);
      this.out.accept();
      // While the queue fails, keep to the backoff; otherwise send a full batch at once.
      this.schedule(this.failures ? this.backoffMs() : this.buffer.length >= this.opts.batchSize ? 0 : this.opts.flushMs);
    } catch (err) {
      this.lost.unbuilt('could not be buffered', err as Error);
    }
  }

  /**
   * Runs `work` (which calls {@link record}) after this turn's I/O, so a caller can write its response first; and in any
   * case before this producer flushes, closes or reports what it accepted, so deferring loses nothing at shutdown and a
   * follower's batch still waits for the records that belong with it (see {@link enqueueAfter}). Never throws.
   */
  defer(work: () => void): void {
    this.later.add(work);
  }

  /**
   * Orders two producers: every batch of this one is enqueued only after `predecessor` sent every record it had
   * accepted when the batch left (waiting at most {@link PREDECESSOR_WAIT_MS}); records it accepted later do not hold
   * the batch back. The billing producer follows the audit one, so
   * a process killed between the two enqueues leaves the audit job without the billing job, never the
   * reverse: a missing billing job keeps the reservation, which crash recovery settles (and audits with
   * ON CONFLICT DO NOTHING, keeping the real row), whereas a missing audit job after a settled ledger row
   * could never be recovered.
   */
  enqueueAfter(predecessor: FlushableProducer): void {
    this.predecessor = predecessor;
  }

  /** Records not yet accepted by the queue (deferred + buffered + being sent). */
  get pending(): number {
    return this.later.size + this.buffer.length + this.sending;
  }

  get stats(): { buffered: number; sending: number; enqueued: number; dropped: number; consecutiveFailures: number } {
    return { buffered: this.buffer.length, sending: this.sending, enqueued: this.enqueued, dropped: this.lost.count, consecutiveFailures: this.failures };
  }

  /** Sends every record accepted so far without waiting for the timer (unless sends are failing: then their backoff). */
  sendAccepted(timeoutMs: number): Promise<boolean> {
    this.later.run();
    const mark = this.out.mark;
    if (this.out.reached(mark)) return Promise.resolve(true);
    if (!this.failures && !this.pumping) void this.pumpNow();
    return this.out.wait(mark, timeoutMs);
  }

  /**
   * Sends everything buffered, retrying failed sends until `timeoutMs`.
   * @returns the number of records still not enqueued (0 on success); those are logged as lost.
   */
  async flush(timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    this.later.run();
    while (this.pending && Date.now() < deadline) {
      // A send can hang (ioredis queues commands while Redis is away): never wait past the deadline.
      await waitAtMost(this.pumpNow(), deadline - Date.now());
      if (this.pending && this.failures) await waitAtMost(undefined, Math.min(this.backoffMs(), deadline - Date.now()));
      this.later.run(); // what was deferred meanwhile
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
    for (const rec of left) this.lost.record(rec, 'queue unreachable at shutdown');
    this.out.advance(left.length);
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

  /** Sends now, ahead of the scheduled timer. */
  private pumpNow(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    return this.pump();
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
      // Batches leave on a timer, and a call's records are recorded together (synchronously, within microtasks,
      // or deferred, which sendAccepted runs first), so by now the predecessor holds the records of this batch.
      if (this.predecessor) await this.predecessor.sendAccepted(PREDECESSOR_WAIT_MS);
      const one = this.identity.batch;
      if (one) await this.queue.add(one.jobName, { v: 1, records: batch } satisfies BatchJobData<T>, { jobId: one.jobId(++this.batchSeq) });
      else await this.queue.addBulk(batch.map((data) => ({ name: this.identity.jobName, data, opts: { jobId: this.identity.jobId(data) } })));
      this.enqueued += batch.length;
      this.out.advance(batch.length);
      if (this.failures) this.log.log(`${this.identity.label} queue reachable again after ${this.failures} failed attempt(s)`);
      this.failures = 0;
      return true;
    } catch (err) {
      this.buffer.unshift(...batch);
      this.failures++;
      this.log.warn(`${this.identity.label} enqueue failed (attempt ${this.failures}); ${this.buffer.length} record(s) kept for retry: ${messageTemplate((err as Error).message)}`);
      return false;
    } finally {
      this.sending = 0;
    }
  }

  private backoffMs(): number {
    return Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.max(0, this.failures - 1));
  }
}
