import { MemoryRolloutCounters } from './memory-rollout-counters';
import { RedisRolloutCounters } from './redis-rollout-counters';
import type { RolloutCounters, RolloutCountersOptions } from './rollout-counters';

/** Redis when `redisUrl` is set (replicas count together, as auto-rollback needs), in process otherwise (embedded mode). */
export function createRolloutCounters(opts: RolloutCountersOptions = {}): RolloutCounters {
  return opts.redisUrl ? new RedisRolloutCounters(opts.redisUrl, opts.keyPrefix) : new MemoryRolloutCounters();
}
