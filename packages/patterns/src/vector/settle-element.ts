/**
 * The second step of a vector write. The semantic cache and long-term memory write an entry's data key and indexes
 * in one script, then add its element with `VADD … CAS` as a command of its own (CAS does the neighbour search off
 * the main thread, which a script cannot). This script follows the VADD in the same pipeline, so it runs once the
 * element is in:
 * - if the entry's data key is gone (removed or swept between the two steps), the element goes too: otherwise it
 *   would stay with nothing pointing at it, and no sweep would ever find it;
 * - the set's TTL becomes at least `ttl` (0: leave it), so two first writes of a new set that race with different
 *   TTLs cannot leave the set with the shorter one, dropping the longer-lived entries with it.
 *
 * KEYS: the vector set, the entry's data key, the expiry index (same hash tag). ARGV: the element id, the TTL in
 * ms. Returns 1 when the element was removed (it leaves the expiry index too); an element whose removal could crash
 * the server (see vrem-or-defer.ts) joins the expiry index as expired instead (-1), so the next sweep removes it.
 */
import { LuaScript } from '../lua-script.ts';
import { LUA_VREM_OR_DEFER } from './vrem-or-defer.ts';

export const SETTLE_ELEMENT = new LuaScript(`${LUA_VREM_OR_DEFER}
if redis.call('EXISTS', KEYS[2]) == 0 then return forget_element(KEYS[1], KEYS[3], ARGV[1]) end
local ttl = tonumber(ARGV[2])
if ttl > 0 then
  local left = redis.call('PTTL', KEYS[1])
  if left ~= -2 and left < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
end
return 0
`);
