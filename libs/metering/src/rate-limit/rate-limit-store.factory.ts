import type { GatewayConfig } from '@gw/config';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import type { RateLimitStore } from './rate-limit-store';
import { RedisRateLimitStore, type RedisRateLimitStoreOptions } from './redis-rate-limit.store';

/**
 * The process's rate-limit counters: Redis when REDIS_URL is set (replicas share one budget),
 * otherwise in process (embedded mode, one process). The caller owns the store and closes it.
 */
export function createRateLimitStore(config: GatewayConfig, options: RedisRateLimitStoreOptions = {}): RateLimitStore {
  const url = config.env.REDIS_URL;
  return url ? new RedisRateLimitStore(url, options) : new MemoryRateLimitStore();
}
