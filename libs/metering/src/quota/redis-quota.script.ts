/**
 * Quota scripts: every counter of a call in one atomic EVALSHA (one round trip).
 *
 * Each counter (one key in one window) is two keys, passed as KEYS pairs and sharing a Cluster hash tag:
 *   HASH  `r` requests counted, `t` tokens settled, `h` tokens held by calls in flight,
 *         `#<holdId>` the tokens of a live hold, or `e` once it expired (so a late settle still counts once);
 *   ZSET  live hold ids scored by expiry (epoch ms, caller clock).
 * Expired holds are purged by every reserve and usage touching the counter: their tokens leave `h`, their
 * request stays counted. Keys expire at window end + margin (a relative PEXPIRE refreshed by each reserve).
 */

/** Shared by reserve and usage: give back the tokens of holds expired at `now` (ARGV[now]). */
const PURGE = `
local function purge(hash, zset, now)
  local ids = redis.call('ZRANGEBYSCORE', zset, '-inf', now)
  if #ids == 0 then return end
  for _, id in ipairs(ids) do
    local held = tonumber(redis.call('HGET', hash, '#' .. id))
    if held then
      redis.call('HINCRBY', hash, 'h', -held)
      redis.call('HSET', hash, '#' .. id, 'e')
    end
  end
  redis.call('ZREMRANGEBYSCORE', zset, '-inf', now)
end
`;

/**
 * ARGV: holdId, requests (0|1), tokens, now, hold expiry, then per counter i: max requests, max tokens
 * (0 = unlimited), key TTL ms. Checks every counter before charging any (all or nothing); a counter that
 * already has this hold (a retried reserve) is neither checked nor charged again.
 * Returns {1} or {0, counter index (1-based), dimension (1 requests, 2 tokens), used}.
 */
export const QUOTA_RESERVE_LUA = `${PURGE}
local holdId, requests, tokens = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local now, expiresAt = tonumber(ARGV[4]), tonumber(ARGV[5])
local field = '#' .. holdId
local fresh = {}
for i = 1, #KEYS / 2 do
  local hash, zset = KEYS[2 * i - 1], KEYS[2 * i]
  purge(hash, zset, now)
  if redis.call('HEXISTS', hash, field) == 0 then
    local c = redis.call('HMGET', hash, 'r', 't', 'h')
    local r, t, h = tonumber(c[1]) or 0, tonumber(c[2]) or 0, tonumber(c[3]) or 0
    local maxR, maxT = tonumber(ARGV[3 + 3 * i]), tonumber(ARGV[4 + 3 * i])
    if maxR > 0 and r + requests > maxR then return { 0, i, 1, r } end
    if maxT > 0 and (t + h + tokens > maxT or t + h >= maxT) then return { 0, i, 2, t + h } end
    fresh[#fresh + 1] = i
  end
end
for _, i in ipairs(fresh) do
  local hash, zset, ttl = KEYS[2 * i - 1], KEYS[2 * i], tonumber(ARGV[5 + 3 * i])
  redis.call('HINCRBY', hash, 'r', requests)
  redis.call('HINCRBY', hash, 'h', tokens)
  redis.call('HSET', hash, field, tokens)
  redis.call('ZADD', zset, expiresAt, holdId)
  redis.call('PEXPIRE', hash, ttl)
  redis.call('PEXPIRE', zset, ttl)
end
return { 1 }
`;

/**
 * Settle (ARGV[2] = 's': tokens held → ARGV[3] real tokens) or release (ARGV[2] = 'r': tokens held and
 * ARGV[4] requests given back) of hold ARGV[1] on every counter. The hold's field is deleted, so a second
 * call does nothing; an expired hold (`e`) is charged its real tokens, or gives its request back.
 * Returns the number of counters changed.
 */
export const QUOTA_FINISH_LUA = `
local field, mode = '#' .. ARGV[1], ARGV[2]
local done = 0
for i = 1, #KEYS / 2 do
  local hash, zset = KEYS[2 * i - 1], KEYS[2 * i]
  local v = redis.call('HGET', hash, field)
  if v then
    if v ~= 'e' then
      redis.call('HINCRBY', hash, 'h', -tonumber(v))
      redis.call('ZREM', zset, ARGV[1])
    end
    if mode == 's' then
      redis.call('HINCRBY', hash, 't', tonumber(ARGV[3]))
    else
      redis.call('HINCRBY', hash, 'r', -tonumber(ARGV[4]))
    end
    redis.call('HDEL', hash, field)
    done = done + 1
  end
end
return done
`;

/** ARGV[1] now. Purges, then returns {r, t, h} of every counter, flattened. */
export const QUOTA_USAGE_LUA = `${PURGE}
local out = {}
for i = 1, #KEYS / 2 do
  local hash = KEYS[2 * i - 1]
  purge(hash, KEYS[2 * i], tonumber(ARGV[1]))
  local c = redis.call('HMGET', hash, 'r', 't', 'h')
  for j = 1, 3 do out[#out + 1] = tonumber(c[j]) or 0 end
end
return out
`;
