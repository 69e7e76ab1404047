/** The cache's atomic steps, each on the keys of one scope (one slot). */
import { LuaScript } from '../lua-script.ts';

/**
 * STORE: KEYS vset, expiry, answer; ARGV fp32 blob, entry id, ttl ms, value, quantization. The answer gets its TTL,
 * the vector joins the set and the expiry index, and the set and the index live at least as long as this answer,
 * so a scope nobody stores into any more disappears by itself. Times are the server's.
 */
export const STORE = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[3])
redis.call('SET', KEYS[3], ARGV[4], 'PX', ttl)
redis.call('VADD', KEYS[1], 'FP32', ARGV[1], ARGV[2], ARGV[5])
redis.call('ZADD', KEYS[2], now + ttl, ARGV[2])
for i = 1, 2 do
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return now
`);

/**
 * REAP: KEYS vset, expiry, answer keys…; ARGV mode (`get` or `exists`), entry ids… in the same order. An entry
 * whose answer key is gone (expired or deleted) leaves the vector set and the expiry index. Returns
 * `{removed, index of the first live entry (0: none), its value when mode is get}`.
 */
export const REAP = new LuaScript(`
local removed, found, value = 0, 0, ''
for i = 3, #KEYS do
  local id = ARGV[i - 1]
  local alive
  if ARGV[1] == 'get' and found == 0 then
    alive = redis.call('GET', KEYS[i])
    if alive then found, value = i - 2, alive end
  else
    alive = redis.call('EXISTS', KEYS[i]) == 1
  end
  if not alive then
    removed = removed + redis.call('VREM', KEYS[1], id)
    redis.call('ZREM', KEYS[2], id)
  end
end
return {removed, found, value}
`);

/**
 * SWEEP: KEYS vset, expiry; ARGV limit, the answer keys' prefix (`<scope tag>:a:`, so every key shares the scope's
 * slot). Takes the oldest entries whose expiry (server time) has passed, up to the limit, and removes those whose
 * answer key is gone. Picking and removing in one script matters: sweeps that read the candidates first and removed
 * them in a second step all picked the same oldest ones when stores ran concurrently, and a stream of 100,000 new
 * prompts at 32 in flight grew the set by a fifth of them. An entry still alive at its recorded expiry (its TTL
 * changed outside the cache) is moved to its real expiry, or out of the index when it has none, so it cannot hold
 * a place at the head. Returns the number removed.
 */
export const SWEEP = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ids = redis.call('ZRANGE', KEYS[2], '-inf', now, 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[1]))
local removed = 0
for _, id in ipairs(ids) do
  local left = redis.call('PTTL', ARGV[2] .. id)
  if left == -2 then
    removed = removed + redis.call('VREM', KEYS[1], id)
    redis.call('ZREM', KEYS[2], id)
  elseif left == -1 then
    redis.call('ZREM', KEYS[2], id)
  else
    redis.call('ZADD', KEYS[2], now + left, id)
  end
end
return removed
`);

/** FORGET: KEYS vset, expiry, answer; ARGV entry id. Removes one entry; returns 1 if it was there. */
export const FORGET = new LuaScript(`
local n = redis.call('DEL', KEYS[3])
redis.call('VREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return n
`);
