import { bucketMinutes, windowBuckets, type WindowCounts } from '../engine';

/** Whose decisions a counter counts: one policy version in one rollout epoch. */
export interface CounterScope {
  orgId: string;
  policyId: string;
  version: number;
  epoch: number;
}

/** One scope's increments since the last flush, per bucket (see `bucketOf`), and the window to read back. */
export interface CounterBatch {
  scope: CounterScope;
  windowMinutes: number;
  increments: ReadonlyArray<{ bucket: number; total: number; hits: number }>;
}

/**
 * Decision counters shared by every replica (Redis) or kept in process (embedded mode). `addAndRead` adds each
 * batch's increments and answers, per batch, the counts of the window ending with its latest bucket: all batches
 * in one round trip, so a flush costs one call whatever the number of policies.
 */
export interface RolloutCounters {
  addAndRead(batches: readonly CounterBatch[]): Promise<WindowCounts[]>;
  close(): Promise<void>;
}

/** `{org:policy}` is a Redis Cluster hash tag: a policy's buckets share a slot, so one script reads its window. */
export function counterKey(prefix: string, s: CounterScope, bucket: number): string {
  return `${prefix}{${s.orgId}:${s.policyId}}:${s.version}:${s.epoch}:${bucket}`;
}

/** Buckets outlive their window by this much (clock skew between replicas, a slow flush). */
export const COUNTER_TTL_MARGIN_MS = 2 * 60_000;

export function counterTtlMs(windowMinutes: number): number {
  return windowMinutes * 60_000 + bucketMinutes(windowMinutes) * 60_000 + COUNTER_TTL_MARGIN_MS;
}

/** The window a batch reads: the buckets ending with its latest increment's. */
export function batchWindow(b: CounterBatch): number[] {
  const last = Math.max(...b.increments.map((i) => i.bucket));
  return windowBuckets(last, b.windowMinutes);
}

export interface RolloutCountersOptions {
  /** Redis when set (replicas share counts); in process otherwise. */
  redisUrl?: string | null;
  /** Prefix of every key (default `gw:rollout:`). */
  keyPrefix?: string;
}
