import type { GatewayConfig } from '@gw/config';
import type { AdmissionRedis } from '../admission-redis';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import type { RateLimitStore } from './rate-limit-store';
import { RedisRateLimitStore, type RedisRateLimitStoreOptions } from './redis-rate-limit.store';

/**
 * The process's rate-limit counters: Redis when REDIS_URL is set (replicas share one budget),
 * otherwise in process (embedded mode, one process). The caller owns the store and closes it. With `connection`,
 * the Redis store shares that admission connection (with the quotas) instead of opening its own.
 */
export function createRateLimitStore(config: GatewayConfig, options: RedisRateLimitStoreOptions = {}, connection?: AdmissionRedis): RateLimitStore {
  const url = config.env.REDIS_URL;
  return url ? new RedisRateLimitStore(connection ?? url, options) : new MemoryRateLimitStore();
}
