import { Logger } from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { QueueConnection } from '@gw/queue';
import { eventFromRow, EVENT_SELECT, type AuditEventRow } from '../../chain/event-row';
import type { ChainedAuditEvent } from '../../chain/audit-event.types';
import { nextDelayMs } from '../backoff';
import type { DeliveryResult } from '../connector.types';
import { sendBatch } from '../senders';
import type { ConnectorStore, StoredConnector } from './connector-store';
import { RANGE_FILTER } from './connector.sql';
import type { GatewayMetrics } from '@gw/observability';
import { CONNECTOR_QUEUE, parseDeliveryJob, type DeliveryJob } from './delivery-job';

export interface DeliveryWorkerOptions {
  concurrency: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Counts deliveries (events) by connector kind and outcome: delivered, retried, dead_lettered. */
  metrics?: GatewayMetrics;
}

/** A failed attempt that may succeed later; carries the receiver's Retry-After for the backoff strategy. */
export class RetryableDeliveryError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RetryableDeliveryError';
  }
}

const EVENTS_SQL = `SELECT ${EVENT_SELECT} FROM audit_event WHERE ${RANGE_FILTER} ORDER BY seq`;

/**
 * Delivers the ranges the scheduler enqueued. A job reads its events from the chain (the job itself holds only ids
 * and seqs), sends them with the connector's sender and records the outcome. A receiver that acknowledged the head of
 * a batch (the webhook posts one by one) has that part counted and the job narrowed, so a retry resends only the
 * rest. Retryable failures (network, 408, 429, 5xx) wait with full-jitter backoff, at least the receiver's
 * Retry-After; a permanent failure, or the last attempt, puts the range on the dead-letter list, which the API
 * replays. Database errors are thrown and retried like any other; nothing here is ever silently dropped.
 */
export class DeliveryWorker {
  private readonly log = new Logger('AuditConnectors');
  private worker: Worker | undefined;
  private readonly abort = new AbortController();

  constructor(
    private readonly ds: DataSource,
    private readonly queue: QueueConnection,
    private readonly store: ConnectorStore,
    private readonly opts: DeliveryWorkerOptions,
  ) {}

  start(): void {
    if (this.worker) return;
    const { backoffBaseMs: baseMs, backoffMaxMs: maxMs } = this.opts;
    this.worker = new Worker(CONNECTOR_QUEUE, (job) => this.process(job), {
      connection: this.queue.workerConnection,
      prefix: this.queue.prefix,
      concurrency: this.opts.concurrency,
      // A delivery may take a receiver's whole timeout; a stalled one is redelivered (at least once).
      lockDuration: 60_000,
      stalledInterval: 30_000,
      maxStalledCount: 5,
      settings: { backoffStrategy: (made: number, _t?: string, err?: Error) => nextDelayMs(made, err instanceof RetryableDeliveryError ? err.retryAfterMs : undefined, { baseMs, maxMs }) },
    });
    this.worker.on('error', (err) => this.log.error(`connector worker error: ${err.message}`));
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.worker?.close();
    this.worker = undefined;
  }

  async waitUntilReady(): Promise<void> {
    await this.worker?.waitUntilReady();
  }

  /** Job options of a delivery (attempts and the backoff strategy registered above). */
  get jobOptions() {
    return { attempts: this.opts.maxAttempts, backoff: { type: 'connector' }, removeOnComplete: { age: 3_600, count: 10_000 }, removeOnFail: false };
  }

  private async process(job: Job): Promise<void> {
    const d = parseDeliveryJob(job.data);
    const connector = await this.store.byId(this.ds, d.c);
    if (!connector || connector.orgId !== d.o) return; // deleted: its deliveries end with it
    const attempt = job.attemptsMade + 1;
    const last = attempt >= (job.opts.attempts ?? 1);
    let config;
    try {
      config = this.store.open(connector);
    } catch (err) {
      return this.giveUp(connector, d, await this.count(connector, d), attempt, `connector secrets cannot be opened (${(err as Error).message}); was AUDIT_CONNECTOR_KEY changed?`, null);
    }
    const events = await this.events(connector, d);
    if (!events.length) return;
    const result: DeliveryResult = await sendBatch(connector.kind, config, events, this.abort.signal);
    await this.store.delivered(this.ds, connector.id, result.delivered);
    if (result.delivered > 0) this.opts.metrics?.deliveries.inc({ kind: connector.kind, outcome: 'delivered' }, result.delivered);
    if (result.ok) return;
    const rest = { ...d, from: result.delivered > 0 ? events[result.delivered].seq : d.from };
    if (result.delivered > 0) await job.updateData(rest);
    if (!result.retryable || last) return this.giveUp(connector, rest, events.length - result.delivered, attempt, result.error, result.status ?? null);
    await this.store.failed(this.ds, connector.id, result.error);
    this.opts.metrics?.deliveries.inc({ kind: connector.kind, outcome: 'retried' }, events.length - result.delivered);
    if (Number.isInteger(Math.log2(attempt))) this.log.warn(`connector ${connector.id} (${connector.kind}) delivery of seq ${rest.from}-${rest.to} failed, attempt ${attempt}: ${result.error}`);
    throw new RetryableDeliveryError(result.error, result.retryAfterMs);
  }

  private async giveUp(c: StoredConnector, d: DeliveryJob, events: number, attempts: number, error: string, status: number | null): Promise<void> {
    await this.store.deadLetter(this.ds, c, { fromSeq: d.from, toSeq: d.to, events, attempts, error, status });
    this.opts.metrics?.deliveries.inc({ kind: c.kind, outcome: 'dead_lettered' }, events);
    this.log.error(`connector ${c.id} (${c.kind}): seq ${d.from}-${d.to} (${events} events) DEAD-LETTERED after ${attempts} attempt(s): ${error}`);
  }

  private async events(c: StoredConnector, d: DeliveryJob): Promise<ChainedAuditEvent[]> {
    const rows = await this.ds.query<AuditEventRow[]>(EVENTS_SQL, [c.orgId, d.from, d.to, c.projectId, c.eventTypes]);
    return rows.map(eventFromRow);
  }

  private async count(c: StoredConnector, d: DeliveryJob): Promise<number> {
    const [r] = await this.ds.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM audit_event WHERE ${RANGE_FILTER}`, [c.orgId, d.from, d.to, c.projectId, c.eventTypes]);
    return r?.n ?? 0;
  }
}
