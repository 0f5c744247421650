import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, Optional } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { GatewayMetrics } from '@gw/observability';
import { QUEUE_CONNECTION, type QueueConnection } from '@gw/queue';
import { ConnectorScheduler, type SchedulerOptions } from './connector-scheduler';
import { ConnectorStore } from './connector-store';
import { CONNECTOR_QUEUE, deliveryJobId, type DeliveryJob } from './delivery-job';
import { DeliveryWorker, type DeliveryWorkerOptions } from './delivery-worker';

export const CONNECTOR_DELIVERY_OPTIONS = Symbol('CONNECTOR_DELIVERY_OPTIONS');
export interface ConnectorDeliveryOptions extends DeliveryWorkerOptions, Omit<SchedulerOptions, 'maxConnectors'> {
  pollMs: number;
}

/**
 * The control app's connector delivery: the scheduler's timer, the BullMQ queue and the worker. Runs on every control
 * replica (row locks and job ids keep them from delivering a range twice). Nothing on the request path waits for it:
 * a receiver that is down only grows the queue of its own connector.
 */
@Injectable()
export class ConnectorDeliveryService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('AuditConnectors');
  readonly queue: Queue;
  readonly worker: DeliveryWorker;
  private readonly scheduler: ConnectorScheduler;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private busy = false;

  constructor(
    ds: DataSource,
    store: ConnectorStore,
    @Inject(QUEUE_CONNECTION) connection: QueueConnection,
    @Inject(CONNECTOR_DELIVERY_OPTIONS) private readonly opts: ConnectorDeliveryOptions,
    @Optional() metrics?: GatewayMetrics,
  ) {
    this.worker = new DeliveryWorker(ds, connection, store, { ...opts, metrics: metrics?.enabled ? metrics : undefined });
    this.queue = new Queue(CONNECTOR_QUEUE, { connection: connection.connection, prefix: connection.prefix, defaultJobOptions: this.worker.jobOptions });
    this.queue.on('error', (err: Error) => this.log.debug(`connector queue connection: ${err.message}`)); // scheduling failures log on their own
    this.scheduler = new ConnectorScheduler(ds, this.queue, { batch: opts.batch, maxJobsPerTick: opts.maxJobsPerTick, maxConnectors: 100 });
  }

  onApplicationBootstrap(): void {
    this.worker.start();
    this.timer = setInterval(() => void this.tick(), this.opts.pollMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running.catch(() => undefined);
    await this.worker.close();
    await this.queue.close();
  }

  /** One scheduling pass (also called by tests); overlapping calls are skipped. @returns jobs enqueued. */
  async tick(): Promise<number> {
    if (this.busy) return 0;
    this.busy = true;
    const run = this.scheduler.tick();
    this.running = run;
    try {
      return await run;
    } catch (err) {
      this.log.warn(`connector scheduling failed (retrying next tick): ${(err as Error).message}`);
      return 0;
    } finally {
      this.busy = false;
    }
  }

  /** Enqueues dead-lettered ranges again (a fresh attempt budget). */
  async replay(ranges: Array<DeliveryJob & { id: string }>): Promise<void> {
    const stamp = Date.now().toString(36);
    await this.queue.addBulk(ranges.map(({ id, ...data }) => ({ name: 'deliver', data, opts: { jobId: deliveryJobId(data, `${stamp}${id.slice(0, 8)}`) } })));
  }

  /** Jobs waiting, delayed (backing off) and running, for the connector view. */
  async backlog(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'delayed', 'active', 'failed');
  }
}
