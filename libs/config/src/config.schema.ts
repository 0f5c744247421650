import { z } from 'zod';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a URL with scheme ${protocols.join(' or ')}`);

/** One upstream or local engine that can serve models. */
export const providerSchema = z.discriminatedUnion('kind', [
  z.object({
    id: z.string().min(1),
    kind: z.literal('openai-compatible'),
    base_url: url(['http:', 'https:']),
    api_key: z.string().optional(),
    timeout_ms: int(1).default(600_000),
    connect_timeout_ms: int(1).default(10_000),
    connections: int(1).default(256),
    supports_images: z.boolean().default(true),
    /**
     * Path (on the base URL's origin) of a vLLM/SGLang-style tokenize endpoint, `POST {model, messages,
     * tools}` → `{count}`, used by `/v1/messages/count_tokens`; unset = the gateway's estimator.
     */
    tokenize_path: z.string().startsWith('/').optional(),
  }),
  z.object({
    id: z.string().min(1),
    kind: z.literal('anthropic'),
    /** Like the Anthropic SDK base URL (`https://api.anthropic.com`); requests go to `/v1/messages` (a base ending in `/v1` is accepted). */
    base_url: url(['http:', 'https:']),
    api_key: z.string().optional(),
    anthropic_version: z.string().min(1).default('2023-06-01'),
    /** Sent on every request (e.g. `anthropic-beta`); cannot replace x-api-key, anthropic-version or content-type. */
    extra_headers: z.record(z.string(), z.string()).default({}),
    timeout_ms: int(1).default(600_000),
    connect_timeout_ms: int(1).default(10_000),
    connections: int(1).default(256),
    supports_images: z.boolean().default(true),
    /** `max_tokens` when a request names none (Anthropic requires it). */
    default_max_tokens: int(1).default(4096),
  }),
  z.object({
    id: z.string().min(1),
    kind: z.literal('local-gguf'),
    /** Filesystem path, or an `hf:` URI for machines with internet. */
    model_path: z.string().min(1),
    threads: int(1, 64).default(1),
    sequences: int(1, 64).default(2),
    context_size: int(64).default(2048),
    max_queue: int(0).default(64),
  }),
]);

export const modelSchema = z.object({
  id: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
  provider: z.string().min(1),
  upstream_model: z.string().min(1),
  owned_by: z.string().default('gateway'),
  context_window: int(1).optional(),
  max_output_tokens: int(1).optional(),
});

export const catalogSchema = z.object({
  providers: z.array(providerSchema).min(1),
  models: z.array(modelSchema).min(1),
});

export const envSchema = z.object({
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

  /** Credits: `max(1, ceil(total_tokens / CREDIT_TOKENS_PER_CREDIT))`; cost `total_tokens × PRICE_USD_PER_TOKEN`. */
  CREDIT_TOKENS_PER_CREDIT: int(1).default(500),
  PRICE_USD_PER_TOKEN: z.coerce.number().min(0).default(0.000005),
  /** Credits granted to the organisation the embedded start command bootstraps on an empty database. */
  BOOTSTRAP_CREDITS: int(1, 1_000_000_000_000).default(10_000),
  /** Output cap reserved for (and sent to the model) when a request names none. */
  DEFAULT_MAX_TOKENS: int(1).default(4096),
  /** An unsettled reservation (gateway crashed mid-call) is released after this long. */
  CREDIT_RESERVATION_TTL_MS: int(60_000).default(24 * 3600 * 1000),
  /**
   * Per-replica credit leases: a replica holds a chunk of a busy organisation's credits and grants its calls from it
   * in memory (no Postgres round trip per call); near the bottom of a balance calls reserve one by one as without.
   * Off: every call reserves its own row at admission (a crash then leaves a record even of calls under 100 ms old).
   */
  CREDIT_LEASES: bool.default(true),
  /** Calls' worth (of the organisation's last call here) a lease is topped up to. */
  CREDIT_LEASE_CALLS: int(1, 1_000_000).default(256),
  /** No lease is taken (calls reserve one by one) when one would hold fewer calls' worth; at most CREDIT_LEASE_CALLS. */
  CREDIT_LEASE_MIN_CALLS: int(1, 1_000_000).default(16),
  /** Largest share of an organisation's available credits one replica's lease takes. */
  CREDIT_LEASE_SHARE: z.coerce.number().gt(0).max(1).default(0.125),
  /** A lease not granted from for this long gives its unused credits back to the organisation. */
  CREDIT_LEASE_IDLE_MS: int(100, 3_600_000).default(2_000),
  /** A call granted from a lease and still in flight after this long gets a reservation row of its own (crash evidence). */
  CREDIT_LEASE_CARVE_MS: int(10, 60_000).default(100),
  /** Crash recovery: each process refreshes its `gateway_replica` row this often... */
  REPLICA_HEARTBEAT_MS: int(100, 600_000).default(5_000),
  /** ...a peer whose row is older than this is dead, and its calls in flight are settled as `gateway_lost`. */
  REPLICA_STALE_MS: int(300, 3_600_000).default(15_000),
  /** How often the tokens streamed so far by this process's calls are written to their reservations. */
  REPLICA_CHECKPOINT_MS: int(50, 60_000).default(1_000),

  /** Responses API answers created with `store: true` are kept this long for `previous_response_id` (then 404). */
  RESPONSES_STORE_TTL_SECONDS: int(1).default(30 * 24 * 3600),
  /** Output cap of `/v1/messages` when the body has no `max_tokens` (Anthropic requires it; we do not). */
  MESSAGES_DEFAULT_MAX_TOKENS: int(1).default(4096),

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

  /** Full catalogue as JSON, or a path to a JSON file; overrides the defaults below. */
  CATALOG_JSON: z.string().optional(),
  CATALOG_FILE: z.string().optional(),
  /** Default catalogue: the local GGUF model served as `abliterated-model`. */
  LOCAL_MODEL_PATH: z.string().min(1).default('../shared/models/stories260K.gguf'),
  LOCAL_MODEL_THREADS: int(1, 64).default(1),
  LOCAL_MODEL_SEQUENCES: int(1, 64).default(2),
  LOCAL_MODEL_CONTEXT: int(64).default(2048),
  LOCAL_MODEL_MAX_QUEUE: int(0).default(64),
  /** Default catalogue alternative: when set, `abliterated-model` is served by this OpenAI-compatible upstream. */
  UPSTREAM_BASE_URL: url(['http:', 'https:']).optional(),
  UPSTREAM_API_KEY: z.string().optional(),
  UPSTREAM_MODEL: z.string().min(1).default('abliterated-model'),
  UPSTREAM_TIMEOUT_MS: int(1).default(600_000),
  DEFAULT_MODEL_ALIASES: z.string().default('abliteration-model'),

  /** Classifier judging policy categories unless a policy names another: `builtin` (offline lexicon), `moderation`, `guard`. */
  POLICY_CLASSIFIER: z.enum(['builtin', 'moderation', 'guard']).default('builtin'),
  /** An OpenAI-compatible `/v1/moderations` service (the `moderation` classifier). */
  MODERATION_BASE_URL: url(['http:', 'https:']).optional(),
  MODERATION_API_KEY: z.string().optional(),
  MODERATION_MODEL: z.string().min(1).default('omni-moderation-latest'),
  /** A guard model (Llama-Guard style) behind an OpenAI-compatible `/v1/chat/completions` (the `guard` classifier). */
  GUARD_BASE_URL: url(['http:', 'https:']).optional(),
  GUARD_API_KEY: z.string().optional(),
  GUARD_MODEL: z.string().min(1).default('llama-guard-3-8b'),
  /** `full`: the gateway sends the whole Llama Guard prompt; `model-template`: the server (vLLM, Ollama) applies the model's own template. */
  GUARD_PROMPT: z.enum(['full', 'model-template']).default('full'),
  CLASSIFIER_TIMEOUT_MS: int(10, 120_000).default(5_000),
  /** Most output characters a policy's stream scanner holds back (the longest match it can see across deltas). */
  POLICY_STREAM_HOLD_CHARS: int(16, 65_536).default(256),
  /** Compiled inline policies kept (by content hash), so a client resending one policy compiles it once. */
  POLICY_INLINE_CACHE_SIZE: int(0, 100_000).default(256),
  /** Longest time the inference plane trusts its cached idea of a stored policy's latest version (a change evicts it at once through NOTIFY; nothing is trusted while that listener is down). */
  POLICY_CACHE_TTL_MS: int(0).default(60_000),
  /** Most entries one `GET /api/policy-gateway/history` page returns (and its default `limit`). History is audit data: never pruned by count. */
  POLICY_HISTORY_LIMIT: int(1, 1000).default(50),
  /** IANA time zone the quota windows follow (a `daily` window runs from local midnight to midnight; weeks start Monday). */
  QUOTA_TIMEZONE: z
    .string()
    .default('UTC')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as UTC or Europe/Berlin'),
  /** A quota hold of a call that never settles (its gateway died) gives its tokens back after this long (its request stays counted). */
  QUOTA_HOLD_TTL_MS: int(10_000, 24 * 3600 * 1000).default(15 * 60_000),
});

export type Env = z.infer<typeof envSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type CatalogConfig = z.infer<typeof catalogSchema>;
