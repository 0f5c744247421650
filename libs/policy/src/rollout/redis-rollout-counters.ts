import { Redis, type ChainableCommander } from 'ioredis';
import type { WindowCounts } from '../engine';
import { batchWindow, counterKey, counterTtlMs, type CounterBatch, type RolloutCounters } from './rollout-counters';

/**
 * KEYS: the window's bucket hashes, oldest first. ARGV[1]: their TTL in ms; then triples (index into KEYS,
 * total, hits) of the increments. Adds the increments, then answers {total, hits} summed over the window.
 */
export const ROLLOUT_COUNT_LUA = `
local ttl = tonumber(ARGV[1])
for i = 2, #ARGV, 3 do
  local key = KEYS[tonumber(ARGV[i])]
  redis.call('HINCRBY', key, 'total', ARGV[i + 1])
  if tonumber(ARGV[i + 2]) > 0 then redis.call('HINCRBY', key, 'hits', ARGV[i + 2]) end
  redis.call('PEXPIRE', key, ttl)
end
local total, hits = 0, 0
for i = 1, #KEYS do
  local v = redis.call('HMGET', KEYS[i], 'total', 'hits')
  total = total + (tonumber(v[1]) or 0)
  hits = hits + (tonumber(v[2]) or 0)
end
return {total, hits}
`;

type Counting = { gwRolloutCount(numberOfKeys: number, ...args: Array<string | number>): unknown };

/**
 * {@link RolloutCounters} shared by every replica: per scope a hash per bucket (`total`, `hits`) that expires
 * after its window. A flush is one pipeline of one script call per scope: one round trip. The counters are off
 * the request path, so commands may wait for a reconnect (briefly: one retry, a 2 s timeout); a failed flush
 * loses its counts, which only delays a rollback.
 */
export class RedisRolloutCounters implements RolloutCounters {
  private readonly redis: Redis & Counting;

  constructor(
    url: string,
    private readonly prefix = 'gw:rollout:',
  ) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 2_000, connectTimeout: 2_000, connectionName: 'gw-rollout' }) as Redis & Counting;
    this.redis.defineCommand('gwRolloutCount', { lua: ROLLOUT_COUNT_LUA });
    // Errors repeat on every reconnect attempt while Redis is down; failed flushes report them.
    this.redis.on('error', () => undefined);
  }

  async addAndRead(batches: readonly CounterBatch[]): Promise<WindowCounts[]> {
    if (batches.length === 0) return [];
    const pipeline = this.redis.pipeline() as ChainableCommander & Counting;
    for (const b of batches) {
      const window = batchWindow(b);
      const keys = window.map((bucket) => counterKey(this.prefix, b.scope, bucket));
      const args: Array<string | number> = [counterTtlMs(b.windowMinutes)];
      for (const inc of b.increments) {
        const at = window.indexOf(inc.bucket);
        if (at >= 0) args.push(at + 1, inc.total, inc.hits);
      }
      pipeline.gwRolloutCount(keys.length, ...keys, ...args);
    }
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([err, reply]) => {
      if (err) throw err;
      const [total, hits] = reply as [number, number];
      return { total: Number(total), hits: Number(hits) };
    });
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
