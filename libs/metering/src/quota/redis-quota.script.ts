/**
 * Quota scripts: every counter of a call in one atomic EVALSHA (one round trip).
 *
 * Each counter (one key in one window) is two keys, passed as KEYS pairs and sharing a Cluster hash tag:
 *   HASH  `r` requests counted, `t` tokens settled, `h` tokens held by calls in flight,
 *         `#<holdId>` the tokens of a live hold, or `e` once it expired (so a late settle still counts once);
 *         `x` a lower bound on the earliest expiry of a live hold (absent in hashes of earlier releases);
 *   ZSET  live hold ids scored by expiry (epoch ms, caller clock).
 * Expired holds are purged by the reserves and usage reads touching the counter once `now` reaches `x`: their tokens
 * leave `h`, their request stays counted, and `x` becomes the earliest expiry still in the set. A reserve lowers `x`
 * to its hold's expiry; a settle leaves it (a lower bound stays one when holds leave). So the set is read about once
 * per hold TTL instead of at every call. Replicas of the previous release purge at every call and do not lower `x`;
 * with the same hold TTL a hold they add after `x` was set expires after it, and at worst (a different TTL, a skewed
 * clock) a purge comes late: expired tokens stay held longer, which refuses, never over-admits.
 * Keys expire at window end + margin, set once by the reserve that creates them (the expiry is the same for every
 * reserve of the window): the hash's when it is new, the hold set's when its sentinel is added (see
 * {@link HOLD_SET_SENTINEL}; before it, every reserve set the set's TTL, since a set went when its last hold did).
 * Each script reads a counter's fields in one HMGET and writes them in one HSET (inside a script both are atomic):
 * a `redis.call` is most of a script's cost, and a reserve of two counters carrying a settle made 28 of them (14 now,
 * with the purge's read skipped until `x` and the hold set's TTL set once).
 */

/**
 * A count as an integer string: a Lua number handed to `redis.call` past 2^53 is printed in exponent form
 * (`1.2345678901234568e+17`), which HINCRBY then refuses; `%d` keeps every count an integer.
 */
const INT = `
local function int(x) return string.format('%d', x) end
`;

/** `x` when no hold is live: past any expiry, so only the next reserve's own hold sets the bound. */
const NO_HOLD = '9007199254740991';

/**
 * A member every hold set keeps, scored {@link NO_HOLD}, so the set never empties before its TTL: the reserve that
 * adds it (a new set, or one an earlier release emptied and recreated) sets the TTL, and the others need not. No
 * purge reaches it (its score is past any `now`) and the first member read for `x` is then `NO_HOLD` itself. Hold
 * ids are `<request id>:<uuid>`, never empty.
 */
export const HOLD_SET_SENTINEL = '';

/**
 * Shared by reserve and usage: `c` is the counter's HMGET, `r` `t` `h` first and `x` at `xi`. When the counter exists and
 * `now` reached `x` (or `x` is absent), gives back the tokens of holds expired at `now` and stores `h` and the new `x`.
 * Returns `h` and `x` as numbers.
 */
const PURGE = `
local function purge(hash, zset, now, c, xi)
  local h, x = tonumber(c[3]) or 0, tonumber(c[xi])
  if not c[1] or (x and now < x) then return h, x end
  local ids = redis.call('ZRANGEBYSCORE', zset, '-inf', now)
  for _, id in ipairs(ids) do
    local held = tonumber(redis.call('HGET', hash, '#' .. id))
    if held then
      h = h - held
      redis.call('HSET', hash, '#' .. id, 'e')
    end
  end
  if #ids > 0 then redis.call('ZREMRANGEBYSCORE', zset, '-inf', now) end
  local first = redis.call('ZRANGE', zset, 0, 0, 'WITHSCORES')
  x = tonumber(first[2]) or ${NO_HOLD}
  redis.call('HSET', hash, 'h', int(h), 'x', int(x))
  return h, x
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
local SENTINEL = '${HOLD_SET_SENTINEL}'
local n = tonumber(ARGV[1])
finish(2 * n, 7 + 3 * n)
local holdId, requests, tokens = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local now, expiresAt = tonumber(ARGV[5]), tonumber(ARGV[6])
local field = '#' .. holdId
local fresh = {}
for i = 1, n do
  local hash, zset = KEYS[2 * i - 1], KEYS[2 * i]
  local c = redis.call('HMGET', hash, 'r', 't', 'h', field, 'x')
  local h, x = purge(hash, zset, now, c, 5)
  if not c[4] then
    local r, t = tonumber(c[1]) or 0, tonumber(c[2]) or 0
    local maxR, maxT = tonumber(ARGV[4 + 3 * i]), tonumber(ARGV[5 + 3 * i])
    if maxR > 0 and r + requests > maxR then return { 0, i, 1, r } end
    if maxT > 0 and (t + h + tokens > maxT or t + h >= maxT) then return { 0, i, 2, t + h } end
    fresh[#fresh + 1] = { i, r, h, not c[1], math.min(x or expiresAt, expiresAt) }
  end
end
for _, f in ipairs(fresh) do
  local i = f[1]
  local hash, zset, ttl = KEYS[2 * i - 1], KEYS[2 * i], tonumber(ARGV[6 + 3 * i])
  redis.call('HSET', hash, 'r', int(f[2] + requests), 'h', int(f[3] + tokens), 'x', int(f[5]), field, int(tokens))
  if f[4] then redis.call('PEXPIRE', hash, ttl) end
  -- The hold is always new here; the sentinel is new only when the set is (or came from a release without it).
  if redis.call('ZADD', zset, expiresAt, holdId, '${NO_HOLD}', SENTINEL) > 1 then redis.call('PEXPIRE', zset, ttl) end
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
export const QUOTA_USAGE_LUA = `${INT}${PURGE}
local out = {}
for i = 1, #KEYS / 2 do
  local hash = KEYS[2 * i - 1]
  local c = redis.call('HMGET', hash, 'r', 't', 'h', 'x')
  local h = purge(hash, KEYS[2 * i], tonumber(ARGV[1]), c, 4)
  out[#out + 1] = tonumber(c[1]) or 0
  out[#out + 1] = tonumber(c[2]) or 0
  out[#out + 1] = h
end
return out
`;
