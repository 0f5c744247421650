import type { GatewayConfig } from '@gw/config';
import { createDataSource, runMigrations, startPostgres, type PostgresHandle } from '@gw/database';
import type { DataSource } from 'typeorm';
import { createCatalog, type ModelCatalog } from '@gw/inference';
import { join } from 'node:path';
import { AdmissionRedis, CreditLeases, CreditReservations, ReplicaLease, createQuotaStore, createRateLimitStore, type QuotaStore, type RateLimitStore, type SweeperLease } from '@gw/metering';
import { configureQueueBackend, type QueueConnection } from '@gw/queue';
import type { Logger } from 'pino';
import { ContentHmacKeys, contentHmacMaster } from '@gw/audit';
import { resolveJwtSecret } from './jwt-secret';

export type Role = 'inference' | 'control';

/** Process-wide resources shared by the apps of one process, created once in dependency order. */
export interface Runtime {
  config: GatewayConfig;
  logger: Logger;
  roles: ReadonlySet<Role>;
  postgres: PostgresHandle;
  /** One pool shared by the apps of this process. */
  dataSource: DataSource;
  queue: QueueConnection;
  catalog: ModelCatalog;
  /** HS256 secret for login tokens (config, or generated and kept in DATA_DIR in the embedded mode). */
  jwtSecret: string;
  /** Sliding-window request counters: Redis with REDIS_URL (shared by replicas), in process otherwise. */
  rateLimits: RateLimitStore;
  /** Per-user and per-project quota counters: Redis with REDIS_URL, in process otherwise (kept in DATA_DIR across restarts). */
  quotas: QuotaStore;
  /** Credit admission on the request path (its own async-commit pool). */
  credits: CreditReservations;
  /** Per-replica credit leases (CREDIT_LEASES; inference role only). */
  creditLeases?: CreditLeases;
  /** This process's boot id, heartbeat and progress checkpoints (crash recovery). */
  lease: ReplicaLease;
  /** Per-org keys of the audit records' prompt/output HMACs. */
  contentHmac: ContentHmacKeys;
}

/** What the control plane uses of a runtime: the process's, or the one its worker thread builds (control-thread.ts). */
export type ControlRuntime = Pick<Runtime, 'config' | 'logger' | 'postgres' | 'dataSource' | 'queue' | 'jwtSecret' | 'quotas' | 'contentHmac'> & {
  /** The boot whose calls are this process's (never orphans), and whether its heartbeat is healthy. */
  lease: SweeperLease;
};

export async function startRuntime(config: GatewayConfig, logger: Logger, roles: Role[]): Promise<Runtime> {
  const log = (msg: string) => logger.info(msg);
  const jwtSecret = resolveJwtSecret(config);
  const postgres = await startPostgres(config, log);
  try {
    if (config.env.MIGRATE_ON_START) await runMigrations(postgres.url);
    const dataSource = await createDataSource(postgres.url, config.env.DB_POOL_SIZE).initialize();
    const lease = new ReplicaLease(postgres.url, {
      role: roles.length > 1 ? 'all' : roles[0],
      heartbeatMs: config.env.REPLICA_HEARTBEAT_MS,
      checkpointMs: config.env.REPLICA_CHECKPOINT_MS,
      onError: (what, err) => logger.warn({ err: err.message }, `${what} failed; retrying at the next tick`),
    });
    await lease.start();
    const queue = configureQueueBackend(config, postgres.url);
    const catalog = createCatalog(config.catalog, (level, msg) => logger[level]({ component: 'provider' }, msg));
    if (roles.includes('inference')) await catalog.init();
    // One auto-pipelined connection for a call's rate-limit hit and quota reserve (see AdmissionRedis).
    const admission = config.env.REDIS_URL ? new AdmissionRedis(config.env.REDIS_URL) : undefined;
    const rateLimits = createRateLimitStore(config, {}, admission);
    const credits = new CreditReservations(postgres.url, config.env.DB_POOL_SIZE, lease);
    const creditLeases = config.env.CREDIT_LEASES && roles.includes('inference') ? startCreditLeases(config, postgres.url, lease, logger) : undefined;
    const quotas = createQuotaStore({
      redisUrl: config.env.REDIS_URL,
      timeZone: config.env.QUOTA_TIMEZONE,
      holdTtlMs: config.env.QUOTA_HOLD_TTL_MS,
      persistPath: config.env.REDIS_URL ? undefined : join(config.env.DATA_DIR, 'quota-counters.json'),
      connection: admission,
    });
    const contentHmac = new ContentHmacKeys(contentHmacMaster(config.env.AUDIT_HMAC_KEY, jwtSecret));
    return { config, logger, roles: new Set(roles), postgres, dataSource, queue, catalog, jwtSecret, rateLimits, quotas, credits, creditLeases, lease, contentHmac };
  } catch (err) {
    await postgres.stop().catch(() => undefined);
    throw err;
  }
}

/**
 * Releases what {@link startRuntime} created, after the apps have closed. `step` wraps each release (shutdown times
 * them, so a release that hangs is named in the log).
 */
export async function stopRuntime(rt: Runtime, step: (name: string, release: () => Promise<unknown>) => Promise<unknown> = (_n, release) => release()): Promise<void> {
  await step('catalog', () => rt.catalog.close());
  await step('rate limits', () => rt.rateLimits.close().catch(() => undefined));
  await step('quotas', () => rt.quotas.close().catch(() => undefined));
  if (rt.creditLeases) await step('credit leases', () => rt.creditLeases!.close());
  await step('lease', () => rt.lease.stop());
  await step('credits', () => rt.credits.close().catch(() => undefined));
  await step('database pool', () => rt.dataSource.destroy().catch(() => undefined));
  await step('postgres', () => rt.postgres.stop());
}

/** What a failed lease query means for the calls (CreditLeases' `what`). */
const LEASE_FAILURE_MEANS: Record<string, string> = {
  'credit lease': 'calls reserve one by one meanwhile',
  'credit lease (outcome unknown)': 'calls reserve one by one meanwhile; the take is sent again, with its sequence number, in 1 s',
  'credit lease return': 'its credits are granted again from the lease',
  'credit lease return (outcome unknown)': 'the return is sent again, with its sequence number, in 1 s',
  'credit lease carve': 'calls in flight are carved at the next tick (until then a crash leaves them unrecorded)',
};

/** The replica's credit leases, carved at each of its progress checkpoints. */
function startCreditLeases(config: GatewayConfig, url: string, lease: ReplicaLease, logger: Logger): CreditLeases {
  const leases = new CreditLeases(url, {
    chunkCalls: config.env.CREDIT_LEASE_CALLS,
    minCalls: config.env.CREDIT_LEASE_MIN_CALLS,
    share: config.env.CREDIT_LEASE_SHARE,
    bootId: lease.bootId,
    progress: lease.progress,
    ttlMs: config.env.CREDIT_RESERVATION_TTL_MS,
    idleMs: config.env.CREDIT_LEASE_IDLE_MS,
    carveMs: config.env.CREDIT_LEASE_CARVE_MS,
    onError: (what, err) => logger.warn({ err: err.message }, `${what} failed; ${LEASE_FAILURE_MEANS[what] ?? 'retrying at the next tick'}`),
  });
  lease.beforeCheckpoint(() => leases.carve());
  return leases;
}
