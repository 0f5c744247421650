/**
 * Sliding-window check-and-count in one atomic script (one round trip per request).
 *
 * KEYS[1] sorted set of counted requests (score = Redis time in ms, member unique per request)
 * ARGV[1] limit, ARGV[2] window ms, ARGV[3] unique member suffix
 * Returns { allowed (0|1), count after this call, score that decides the reset, Redis now ms }.
 *
 * The clock is Redis `TIME`, so replicas with skewed clocks share one consistent window. Redis ≥ 5
 * replicates script effects, which makes a non-deterministic command before writes legal.
 * A refused request is not added, so refusals do not push the window forward. The "reset" score is
 * the oldest entry when allowed, and the entry whose expiry frees the next slot when refused
 * (index `count - limit`, which is the oldest unless the limit was lowered).
 */
export const SLIDING_WINDOW_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return { 1, count + 1, tonumber(oldest[2]), now }
end
local freeing = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
return { 0, count, tonumber(freeing[2]), now }
`;
