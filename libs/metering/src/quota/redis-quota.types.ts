/** Types of the Redis quota store: its options, and the connection with the quota scripts defined on it. */
import type { Redis } from 'ioredis';
import type { QuotaLogger } from './memory-quota.persistence';
import type { Arg } from './quota-finishes';

export interface RedisQuotaStoreOptions {
  timeZone: string;
  holdTtlMs: number;
  /** A command slower than this rejects (default 1000 ms): quotas fail closed, so fail fast. */
  commandTimeoutMs?: number;
  /** TCP connect timeout per attempt (default 1000 ms). */
  connectTimeoutMs?: number;
  /** Prefix of every key (default `gw:q:`). */
  keyPrefix?: string;
  logger?: QuotaLogger;
  /** Clock when a call gets no `nowMs` (default `Date.now`). */
  now?: () => number;
  /** At most one failed settle/release warning per this many ms (default 30 s). */
  warnEveryMs?: number;
}

export type ScriptedRedis = Redis & {
  gwQuotaReserve(numKeys: number, ...args: Arg[]): Promise<number[]>;
  gwQuotaFinish(numKeys: number, ...args: Arg[]): Promise<number>;
  gwQuotaUsage(numKeys: number, ...args: Arg[]): Promise<number[]>;
};
