import type { AdmissionRedis } from '../admission-redis';
import type { QuotaLogger } from './memory-quota.persistence';
import type { QuotaWindow, QuotaWindowName } from './quota-window';
import { isValidTimeZone } from './quota-window';
import { MemoryQuotaStore } from './memory-quota.store';
import { RedisQuotaStore } from './redis-quota.store';

export type QuotaScope = 'user' | 'project';

/** A budget per window; 0 in a dimension means no limit in that dimension. */
export interface QuotaLimit {
  requests: number;
  tokens: number;
  window: QuotaWindowName;
}

/**
 * One counter a call must fit in. `key` is opaque and may contain any characters. On Redis, every counter of a
 * call must map to one Cluster slot for the reserve script to be atomic: the slot comes from the key's *tag*,
 * which is the content of a leading `{…}` (`{org-1}|p|proj-9` → `org-1`) or else the part before the first `|`
 * (`org-1|u|…` → `org-1`), or else the whole key. Counters of one call should therefore share that prefix
 * (the organisation); see {@link quotaTag}.
 */
export interface QuotaCounter {
  scope: QuotaScope;
  key: string;
  limit: QuotaLimit;
}

export interface QuotaReserveInput {
  /** Unique per call (a retried reserve with the same id does not charge twice). */
  holdId: string;
  counters: QuotaCounter[];
  /** 1 to count the call as a request, 0 for a follow-up call of the same request. */
  requests: 0 | 1;
  /** Upper bound of the call's tokens (input + output cap); settled to real usage later. */
  tokens: number;
  /** Caller clock (tests); picks the window and stamps the hold's expiry. */
  nowMs?: number;
}

export interface QuotaHoldEntry {
  scope: QuotaScope;
  key: string;
  /** The counter in its window (`key` + window id): settle and release charge the window the call started in. */
  windowKey: string;
  resetAtMs: number;
}

export interface QuotaHold {
  holdId: string;
  entries: QuotaHoldEntry[];
  requests: 0 | 1;
  tokens: number;
  /** After this the hold's tokens are given back by the next reserve or usage touching the counter. */
  expiresAtMs: number;
}

export type QuotaReserveResult =
  | { ok: true; hold: QuotaHold }
  | {
      ok: false;
      scope: QuotaScope;
      dimension: 'requests' | 'tokens';
      limit: number;
      /** Requests counted, or tokens used plus tokens held by calls in flight. */
      used: number;
      resetAtMs: number;
    };

export interface QuotaUsage {
  scope: QuotaScope;
  key: string;
  window: QuotaWindow;
  requests: { used: number; limit: number };
  /** `used`: settled tokens; `held`: upper bounds of calls in flight (not yet settled, not expired). */
  tokens: { used: number; held: number; limit: number };
}

/**
 * Per-user and per-project quotas over calendar windows. A call reserves before the model call (its request
 * and its token upper bound, on every counter at once) and settles from real usage afterwards, so concurrent
 * calls can never overshoot a budget.
 *
 * Refusal rule, per counter and dimension with a limit > 0: `requests_used + requests > limit.requests`, or
 * `tokens_used + tokens_held + tokens > limit.tokens`, or a token budget already fully used (`used + held >=
 * limit`) even for a call asking 0 tokens: a spent budget stops every new call until the reset.
 */
export interface QuotaStore {
  /** Atomic over all counters: either every counter takes the hold, or none does (first exhausted counter reported). Rejects (throws) only when the store is unreachable: callers fail closed. */
  reserve(input: QuotaReserveInput): Promise<QuotaReserveResult>;
  /** Replaces the hold's tokens with the real usage (requests stay counted). Idempotent per holdId; never rejects (logs). If the hold already expired and was purged, adds `actualTokens`. */
  settle(hold: QuotaHold, actualTokens: number): Promise<void>;
  /** The call never happened (e.g. credits refused it after the quota hold): gives back its request and tokens. Idempotent; never rejects. */
  release(hold: QuotaHold): Promise<void>;
  /** Current counts of each counter in its window at `nowMs` (purges expired holds first). */
  usage(counters: QuotaCounter[], nowMs?: number): Promise<QuotaUsage[]>;
  close(): Promise<void>;
}

export interface QuotaStoreOptions {
  /** Redis shared by every replica; without it the counters live in this process (embedded mode). */
  redisUrl?: string;
  /** IANA zone whose calendar the windows follow (`QUOTA_TIMEZONE`). */
  timeZone: string;
  /** Lifetime of a hold: a call that has not settled by then (crashed replica) gives its tokens back. */
  holdTtlMs: number;
  /** Memory store only: JSON snapshot file, loaded at construction and written at most every 2 s. */
  persistPath?: string;
  /** Redis only: a command slower than this rejects (default 1000 ms). */
  commandTimeoutMs?: number;
  /** Redis only: the process's admission connection, shared with the rate limiter (else the store opens its own). */
  connection?: AdmissionRedis;
  /** Default: a Nest `Logger` named after the store. */
  logger?: QuotaLogger;
}

/** Redis when `redisUrl` is set (exact across replicas), otherwise in process. The caller closes the store. */
export function createQuotaStore(opts: QuotaStoreOptions): QuotaStore {
  if (!isValidTimeZone(opts.timeZone)) throw new RangeError(`invalid quota time zone '${opts.timeZone}'`);
  if (!(opts.holdTtlMs > 0)) throw new RangeError(`quota holdTtlMs must be > 0 (got ${opts.holdTtlMs})`);
  if (opts.redisUrl) {
    const { timeZone, holdTtlMs, commandTimeoutMs, logger } = opts;
    return new RedisQuotaStore(opts.connection ?? opts.redisUrl, { timeZone, holdTtlMs, commandTimeoutMs, logger });
  }
  return new MemoryQuotaStore({ timeZone: opts.timeZone, holdTtlMs: opts.holdTtlMs, persistPath: opts.persistPath, logger: opts.logger });
}

/** Injection token of the process's quota store (the runtime creates and closes it; both apps of a process share it). */
export const QUOTA_STORE = Symbol('QUOTA_STORE');
