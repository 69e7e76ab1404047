/**
 * Vector-set elements have no TTL of their own. The semantic cache and long-term memory keep each entry's data in
 * its own key with a TTL, and each element's expiry time in a sorted set (the expiry index); this script, run after
 * each write, removes up to a limit of the elements whose time has passed and whose key is gone.
 *
 * KEYS: the vector set, the expiry index, then any other sorted-set index the element leaves with it. ARGV: the
 * limit, the data keys' prefix (the element id completes the name; it shares the scope's hash tag, so every key is in
 * the script's slot). Picking and removing in one script matters: sweeps that read the candidates first and removed
 * them in a second step all picked the same oldest ones when writes ran concurrently, and a stream of 100,000 new
 * prompts at 32 in flight grew the set by a fifth of them. An element whose key is still alive at its recorded time
 * (its TTL changed by an update) moves to its real expiry, or out of the index when it has none, so it cannot hold a
 * place at the head. An element whose removal could crash the server (see vrem-or-defer.ts) stays in the expiry
 * index, so the next sweep tries it again. Returns the number of elements removed.
 */
import { LUA_NOW_MS, LuaScript } from '../lua-script.ts';
import { LUA_VREM_OR_DEFER } from './vrem-or-defer.ts';

export const EXPIRY_SWEEP = new LuaScript(`${LUA_NOW_MS}${LUA_VREM_OR_DEFER}
local now = now_ms()
local ids = redis.call('ZRANGE', KEYS[2], '-inf', now, 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[1]))
local removed = 0
for _, id in ipairs(ids) do
  local left = redis.call('PTTL', ARGV[2] .. id)
  if left == -2 then
    local gone = vrem_or_defer(KEYS[1], id)
    if gone >= 0 then
      removed = removed + gone
      for i = 2, #KEYS do redis.call('ZREM', KEYS[i], id) end
    end
  elseif left == -1 then
    redis.call('ZREM', KEYS[2], id)
  else
    redis.call('ZADD', KEYS[2], now + left, id)
  end
end
return removed
`);
