/** Environment, part 3 of envSchema: the audit chain (batching, signing, HMAC, checkpoints, retention) and its connectors. */
import { z } from 'zod';

import { int } from './config-primitives';

export const auditEnv = {
  AUDIT_BATCH_SIZE: int(1, 10_000).default(500),
  /**
   * How long the audit and billing producers gather records before enqueueing them as one job. Each job costs a
   * fixed ~1–2 ms of CPU across the replica, Redis (or the Postgres queue), the worker and one Postgres commit, so
   * this bounds that overhead at 1000 / AUDIT_FLUSH_MS jobs per second per producer whatever the load. 20 ms made it
   * the largest per-call cost of the book-keeping at a few hundred calls per second (issue 12); 50 ms keeps a row's
   * lag far below the 2 s goal. A replica killed outright can lose what it had gathered: calls holding a credit
   * reservation are billed and audited from it by a peer anyway; refusals before admission (never billed) are the
   * records that window covers, now 50 ms of them instead of 20.
   */
  AUDIT_FLUSH_MS: int(1, 10_000).default(50),
  AUDIT_WORKER_CONCURRENCY: int(1, 10_000).default(500),
  /**
   * Ed25519 private key (PKCS#8 PEM; `\n` escapes accepted) that signs audit checkpoints. Unset: generated into
   * DATA_DIR/audit-signing-key.pem on first start (replicas with different keys are fine: every public key that
   * signed is kept in `audit_signing_key`).
   */
  AUDIT_SIGNING_KEY: z.string().min(1).optional(),
  /**
   * Master secret of the per-organisation HMAC keys of `prompt_hmac` / `output_hmac` (≥ 32 characters). Unset: derived
   * from JWT_SECRET (which replicas share); set it to rotate the JWT secret without changing the digests.
   */
  AUDIT_HMAC_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  /** A signed checkpoint every this many events of an organisation… */
  AUDIT_CHECKPOINT_EVERY: int(1, 1_000_000).default(1_000),
  /** …or this long after its last one, whichever comes first. */
  AUDIT_CHECKPOINT_INTERVAL_MS: int(100, 86_400_000).default(60_000),
  /** How far back the writer looks for an event already chained (a redelivered job). */
  AUDIT_DEDUPE_WINDOW_HOURS: int(1, 24 * 366).default(7 * 24),
  /** Monthly partitions of audit_event created ahead of time by the control app. */
  AUDIT_PARTITIONS_AHEAD: int(1, 24).default(2),
  /** Global audit retention: monthly partitions wholly older than this many months are dropped (0 = keep forever). */
  AUDIT_RETENTION_MONTHS: int(0, 1200).default(0),
  /** How often the control app moves records from audit_inbox (orphan sweeps, admin changes) into the chain. */
  AUDIT_INBOX_POLL_MS: int(10, 60_000).default(250),
  /**
   * Key that seals audit connectors' secrets at rest (AES-256-GCM): base64 of 32 random bytes (`openssl rand -base64 32`).
   * Unset: derived from JWT_SECRET (which replicas share). Changing it makes stored connector secrets unreadable
   * (their deliveries dead-letter until the connector is saved again with its secrets).
   */
  AUDIT_CONNECTOR_KEY: z
    .string()
    .refine((v) => Buffer.from(v.trim(), 'base64').length === 32, 'must be base64 of exactly 32 bytes (openssl rand -base64 32)')
    .optional(),
  /**
   * Key that seals retained prompt/output text (policies with `audit.retain_content`; AES-256-GCM): base64 of 32
   * random bytes. Unset: derived from JWT_SECRET (which every inference and control replica shares). Changing it
   * makes content sealed before unreadable (reads say `content_error: "key_changed"`); set it to rotate JWT_SECRET.
   */
  AUDIT_CONTENT_KEY: z
    .string()
    .refine((v) => Buffer.from(v.trim(), 'base64').length === 32, 'must be base64 of exactly 32 bytes (openssl rand -base64 32)')
    .optional(),
  /** Days retained content is kept when the policy names no `audit.content_retention_days`. */
  AUDIT_CONTENT_RETENTION_DAYS: int(1, 3650).default(30),
  /** How often the control app turns chain growth into connector deliveries. */
  AUDIT_CONNECTOR_POLL_MS: int(10, 60_000).default(1_000),
  /** Events (chain seqs) per delivery batch. */
  AUDIT_CONNECTOR_BATCH: int(1, 10_000).default(200),
  /** Deliveries in flight per control replica. */
  AUDIT_CONNECTOR_CONCURRENCY: int(1, 256).default(8),
  /** Attempts per batch before it goes to the dead-letter list (default: ~29 min on average with the backoff below). */
  AUDIT_CONNECTOR_MAX_ATTEMPTS: int(1, 1_000).default(20),
  /** Full-jitter exponential backoff between attempts: first cap, and largest cap. */
  AUDIT_CONNECTOR_BACKOFF_BASE_MS: int(1, 3_600_000).default(1_000),
  AUDIT_CONNECTOR_BACKOFF_MAX_MS: int(1, 86_400_000).default(300_000),
};
