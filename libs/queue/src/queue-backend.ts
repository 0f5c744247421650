import type { GatewayConfig } from '@gw/config';
import { createPostgresBackend, setDefaultBackendFactory, type ConnectionOptions, type PostgresPoolConfig } from 'bullmq';

/** Where BullMQ keeps its jobs, and the options every Queue / Worker of the process must get. */
export interface QueueConnection {
  readonly kind: 'redis' | 'postgres';
  /** For `BullModule.forRoot({ connection })` and `new Queue(name, { connection })`. */
  readonly connection: ConnectionOptions;
  /** For `new Worker(...)`: on Redis, `maxRetriesPerRequest: null` (blocking commands must not give up). */
  readonly workerConnection: ConnectionOptions;
  /** Redis key prefix (ignored by the Postgres backend, whose namespace is its schema). */
  readonly prefix: string;
}

export const DEFAULT_QUEUE_PREFIX = 'gw';
/** Schema of BullMQ's own tables in the gateway database (Postgres backend). */
export const QUEUE_PG_SCHEMA = 'bullmq';

/**
 * Chooses the queue backend once per process, before any Queue or Worker exists (so before the
 * Nest apps are created): Redis when REDIS_URL is set, otherwise BullMQ's Postgres backend in the
 * gateway database. The Postgres choice is process-wide (`setDefaultBackendFactory`), which is
 * what lets `@nestjs/bullmq` create its queues unchanged.
 */
export function configureQueueBackend(config: GatewayConfig, pgUrl: string, opts: { prefix?: string } = {}): QueueConnection {
  const prefix = opts.prefix ?? DEFAULT_QUEUE_PREFIX;
  const redisUrl = config.env.REDIS_URL;
  if (redisUrl) {
    setDefaultBackendFactory(); // back to the Redis default (matters when a process switches modes, e.g. tests)
    return {
      kind: 'redis',
      connection: { url: redisUrl },
      workerConnection: { url: redisUrl, maxRetriesPerRequest: null },
      prefix,
    };
  }
  setDefaultBackendFactory(createPostgresBackend);
  const pg: PostgresPoolConfig = {
    connectionString: pgUrl,
    schema: QUEUE_PG_SCHEMA,
    migrate: true,
    max: 10,
    application_name: 'llm-gateway-queue',
  };
  // Worker state transitions (fetch, lock, complete) may commit asynchronously: losing the last few
  // to a Postgres crash only redelivers those jobs, which consumers must tolerate anyway (audit:
  // UNIQUE(request_id)). Enqueues keep synchronous commits: an acknowledged job is durable.
  const worker: PostgresPoolConfig = { ...pg, options: '-c synchronous_commit=off' };
  return { kind: 'postgres', connection: pg, workerConnection: worker, prefix };
}
