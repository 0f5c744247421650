/** Environment, part 2 of envSchema: credits and pricing, per-replica credit leases, crash recovery, Responses/Messages defaults. */
import { z } from 'zod';

import { bool, int } from './config-primitives';

export const creditsEnv = {
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
};
