/** Environment, part 1 of envSchema: process role, observability, HTTP server limits, storage, authentication and rate limits. */
import { z } from 'zod';

import { bool, int, url } from './config-primitives';

export const runtimeEnv = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Which planes this process serves: both (embedded default), or one of them. */
  GATEWAY_ROLE: z.enum(['all', 'inference', 'control']).default('all'),
  /**
   * With both planes in one process (GATEWAY_ROLE=all): run the control plane (its API and the queue workers that write
   * audit rows and settle the ledger) in a worker thread, off the inference event loop (issue 12).
   */
  CONTROL_PLANE_THREAD: bool.default(true),
  /** Prometheus metrics at `/metrics` on both apps (issue 13); off: no route, and nothing is counted. */
  METRICS_ENABLED: bool.default(true),
  /** Bull Board at `/admin/queues` on the control app (issue 13), read-only, for the operator organisation's owners and admins. */
  QUEUE_BOARD_ENABLED: bool.default(true),
  /** The operator organisation (its owners and admins may open the queue view); unset: the first organisation created. */
  QUEUE_BOARD_ORG_ID: z.string().uuid().optional(),
  /** OTLP/HTTP collector (`http://otel-collector:4318`): traces of the inference requests are exported there. Unset: no tracing. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  /** The traces' `service.name`. */
  OTEL_SERVICE_NAME: z.string().min(1).default('llm-policy-gateway'),
  HOST: z.string().min(1).default('127.0.0.1'),
  INFERENCE_PORT: int(0, 65535).default(8080),
  CONTROL_PORT: int(0, 65535).default(8081),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT_BYTES: int(1024).default(20 * 1024 * 1024),
  SHUTDOWN_GRACE_MS: int(0).default(15_000),
  TRUST_PROXY: z.string().default(''),
  /** JSON bodies (both planes), checked before parsing: nesting depth, items per array, values in the whole body. */
  JSON_MAX_DEPTH: int(2, 1000).default(64),
  JSON_MAX_ARRAY_ITEMS: int(1).default(100_000),
  JSON_MAX_VALUES: int(1).default(1_000_000),
  /** A request's headers and body must have arrived within this (0 = no limit); responses and streams are not covered. */
  REQUEST_TIMEOUT_MS: int(0).default(60_000),
  /** A request's headers must have arrived within this (at most REQUEST_TIMEOUT_MS). */
  HEADERS_TIMEOUT_MS: int(1000).default(15_000),
  /** An idle keep-alive connection is closed after this (above typical load balancer idle timeouts). */
  KEEP_ALIVE_TIMEOUT_MS: int(1000).default(72_000),

  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATA_DIR: z.string().min(1).default('./.data'),
  EMBEDDED_PG_PORT: int(0, 65535).default(0),
  DB_POOL_SIZE: int(1, 200).default(10),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  /** Run pending migrations when the gateway starts (the start command does; production may run `npm run migrate`). */
  MIGRATE_ON_START: bool.default(true),

  /** HS256 secret for login tokens; required with DATABASE_URL (replicas must share it), else generated into DATA_DIR. */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_TTL_SECONDS: int(60, 7 * 24 * 3600).default(3600),
  /** Requests per RATE_LIMIT_WINDOW_MS per principal (overridable per key and per organisation). */
  RATE_LIMIT_KEY: int(1).default(120),
  RATE_LIMIT_JWT: int(1).default(30),
  RATE_LIMIT_WINDOW_MS: int(1000).default(60_000),
  /** Output cap of the anonymous free-tier request (one per device). */
  FREE_TIER_MAX_TOKENS: int(1).default(256),
  /** Authenticated keys and users' role/status/token version are kept in memory at most this long (changes evict them at once via NOTIFY); 0 = always read. */
  API_KEY_CACHE_TTL_MS: int(0).default(60_000),
  /** Failed logins allowed per minute per client IP + email. */
  LOGIN_ATTEMPTS_PER_MINUTE: int(1).default(10),
};
