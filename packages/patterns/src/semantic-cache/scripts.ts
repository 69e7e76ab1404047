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

/** FORGET: KEYS vset, expiry, answer; ARGV entry id. Removes one entry; returns 1 if it was there. */
export const FORGET = new LuaScript(`
local n = redis.call('DEL', KEYS[3])
redis.call('VREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return n
`);
