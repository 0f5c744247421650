/**
 * Quota scripts: every counter of a call in one atomic EVALSHA (one round trip).
 *
 * Each counter (one key in one window) is two keys, passed as KEYS pairs and sharing a Cluster hash tag:
 *   HASH  `r` requests counted, `t` tokens settled, `h` tokens held by calls in flight,
 *         `#<holdId>` the tokens of a live hold, or `e` once it expired (so a late settle still counts once);
 *   ZSET  live hold ids scored by expiry (epoch ms, caller clock).
 * Expired holds are purged by every reserve and usage touching the counter: their tokens leave `h`, their
 * request stays counted. Keys expire at window end + margin: the hash from the reserve that creates it (the expiry
 * is the same for every reserve of the window), the hold set at every reserve (it goes when its last hold does).
 * Each script reads a counter's fields in one HMGET and writes them in one HSET (inside a script both are atomic):
 * a `redis.call` is most of a script's cost, and a reserve of two counters carrying a settle made 28 of them (now 18).
 */

/**
 * A count as an integer string: a Lua number handed to `redis.call` past 2^53 is printed in exponent form
 * (`1.2345678901234568e+17`), which HINCRBY then refuses; `%d` keeps every count an integer.
 */
const INT = `
local function int(x) return string.format('%d', x) end
`;

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
 * Settles and releases of several holds, in order: the finishes that start at ARGV[arg] (their count) and KEYS[key + 1].
 * Per hold: its counter count n, hold id, mode (`s` settle: tokens held → the real tokens; `r` release: tokens held
 * and the requests given back), real tokens, requests; its 2n KEYS follow the previous hold's. The hold's field is
 * deleted, so a second finish of it does nothing; an expired hold (`e`) is charged its real tokens, or gives its
 * request back. Returns the number of counters changed.
 */
const FINISH = `
local function finish(key, arg)
  local done = 0
  local count = tonumber(ARGV[arg])
  arg = arg + 1
  for _ = 1, count do
    local n, id, mode = tonumber(ARGV[arg]), ARGV[arg + 1], ARGV[arg + 2]
    local tokens, requests = tonumber(ARGV[arg + 3]), tonumber(ARGV[arg + 4])
    local field = '#' .. id
    for i = 1, n do
      local hash, zset = KEYS[key + 2 * i - 1], KEYS[key + 2 * i]
      local c = redis.call('HMGET', hash, field, 'h', 't', 'r')
      local v = c[1]
      if v then
        local h = tonumber(c[2]) or 0
        if v ~= 'e' then
          h = h - tonumber(v)
          redis.call('ZREM', zset, id)
        end
        if mode == 's' then
          redis.call('HSET', hash, 'h', int(h), 't', int((tonumber(c[3]) or 0) + tokens))
        else
          redis.call('HSET', hash, 'h', int(h), 'r', int((tonumber(c[4]) or 0) - requests))
        end
        redis.call('HDEL', hash, field)
        done = done + 1
      end
    end
    arg, key = arg + 5, key + 2 * n
  end
  return done
end
`;

/**
 * A reserve that first applies the finishes waiting for its hash tag (so a replica's settles ride on its next
 * reserve's round trip instead of a script and a round trip of their own). ARGV: n (the reserve's counters), holdId,
 * requests (0|1), tokens, now, hold expiry, then per counter i: max requests, max tokens (0 = unlimited), key TTL ms;
 * then the finishes as in {@link QUOTA_FINISH_LUA} (their count first, 0 for none). KEYS: the reserve's 2n, then the
 * finishes'. Checks every counter before charging any (all or nothing); a counter that already has this hold (a
 * retried reserve) is neither checked nor charged again. The finishes apply whatever the reserve answers.
 * Returns {1} or {0, counter index (1-based), dimension (1 requests, 2 tokens), used}.
 */
export const QUOTA_RESERVE_LUA = `${INT}${PURGE}${FINISH}
local n = tonumber(ARGV[1])
finish(2 * n, 7 + 3 * n)
local holdId, requests, tokens = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local now, expiresAt = tonumber(ARGV[5]), tonumber(ARGV[6])
local field = '#' .. holdId
local fresh = {}
for i = 1, n do
  local hash, zset = KEYS[2 * i - 1], KEYS[2 * i]
  purge(hash, zset, now)
  local c = redis.call('HMGET', hash, 'r', 't', 'h', field)
  if not c[4] then
    local r, t, h = tonumber(c[1]) or 0, tonumber(c[2]) or 0, tonumber(c[3]) or 0
    local maxR, maxT = tonumber(ARGV[4 + 3 * i]), tonumber(ARGV[5 + 3 * i])
    if maxR > 0 and r + requests > maxR then return { 0, i, 1, r } end
    if maxT > 0 and (t + h + tokens > maxT or t + h >= maxT) then return { 0, i, 2, t + h } end
    fresh[#fresh + 1] = { i, r, h, not c[1] }
  end
end
for _, f in ipairs(fresh) do
  local i = f[1]
  local hash, zset, ttl = KEYS[2 * i - 1], KEYS[2 * i], tonumber(ARGV[6 + 3 * i])
  redis.call('HSET', hash, 'r', int(f[2] + requests), 'h', int(f[3] + tokens), field, int(tokens))
  redis.call('ZADD', zset, expiresAt, holdId)
  if f[4] then redis.call('PEXPIRE', hash, ttl) end
  redis.call('PEXPIRE', zset, ttl)
end
return { 1 }
`;

/**
 * Settles and releases of several holds that no reserve carried (see {@link QUOTA_RESERVE_LUA}), in one EVALSHA:
 * ARGV[1] is the number of holds, then the holds as in `finish`, KEYS from the first. Returns the counters changed.
 */
export const QUOTA_FINISH_LUA = `${INT}${FINISH}
return finish(0, 1)
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
