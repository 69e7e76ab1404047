/**
 * The cache's atomic steps, each on the keys of one scope (one slot). None of them adds to the vector set: `VADD`
 * runs as its own command with `CAS` (see semantic-cache.ts), because inside a script it would do its neighbour
 * search on the main thread and hold the server for milliseconds at 100k entries.
 */
import { LUA_NOW_MS, LuaScript } from '../lua-script.ts';
import { LUA_VREM_OR_DEFER } from '../vector/vrem-or-defer.ts';

/**
 * BOOK: KEYS vset, expiry, answer; ARGV entry id, ttl ms, value. The bookkeeping of a store, done before its
 * element is added: the answer gets its TTL, the entry joins the expiry index (so the sweeper finds it even if the
 * element is never added), and the set and the index live at least as long as this answer, so a scope nobody stores
 * into any more disappears by itself. Returns 1 when the element is already in the set (the same prompt stored
 * again: its vector stays, no VADD needed), else 0. Times are the server's.
 */
export const BOOK = new LuaScript(`${LUA_NOW_MS}
local now = now_ms()
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[3], ARGV[3], 'PX', ttl)
redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
for i = 1, 2 do
  local pttl = redis.call('PTTL', KEYS[i])
  if pttl ~= -2 and pttl < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('VISMEMBER', KEYS[1], ARGV[1])
`);

/**
 * FORGET: KEYS vset, expiry, answer; ARGV entry id. Removes one entry; returns 1 if it was there. An element whose
 * removal could crash the server (see vrem-or-defer.ts) stays, as expired in the expiry index, for the next sweep.
 */
export const FORGET = new LuaScript(`${LUA_VREM_OR_DEFER}
local n = redis.call('DEL', KEYS[3])
forget_element(KEYS[1], KEYS[2], ARGV[1])
return n
`);
