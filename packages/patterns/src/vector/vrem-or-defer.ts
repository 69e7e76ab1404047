/**
 * Every element the kit removes from a vector set goes through `vrem_or_defer`, because a plain `VREM` can crash
 * the server. Redis 8.0 (8.0.2 and 8.0.6 checked here, and newer releases reported in redis/redis#15424) can leave a
 * vector set's top level (`VINFO` max-level) below its tallest nodes after removing the set's entry point; removing
 * one of those taller nodes while it still has links above that level then makes the server read past the node's
 * layers, and it dies of SIGSEGV in `hnsw_reconnect_nodes` (a fix is proposed in redis/redis#15547). Small sets under
 * add and remove churn get there easily: plain `VADD`/`VREM` churn on sets of 20 near-duplicate vectors crashed a
 * private server within seconds, and this repository's test runs lost their shared server to it.
 *
 * So a removal first reads the element's links (`VLINKS`) and the set's top level (`VINFO`), both cheap, and only
 * removes when the element has no links above that level: then the server's repair never goes there. Otherwise the
 * element stays for now (the callers keep it where their sweeps try again; under that churn, 2–17 of about 185,000
 * removals were held back). Returns 1 when removed, 0 when not a member, -1 when held back. `forget_element` is the
 * semantic cache's and memory's removal: the element leaves the expiry index with it, or stays there when held back. A user the kit writes as
 * needs `+vlinks +vinfo` (module commands are in no ACL category on Redis 8.0).
 */
import { LuaScript } from '../lua-script.ts';

export const LUA_VREM_OR_DEFER = `
local function removal_check(set, element)
  local links = redis.call('VLINKS', set, element)
  if not links then return 0 end
  local info = redis.call('VINFO', set)
  local top = 0
  for i = 1, #info, 2 do
    local name = info[i]
    if type(name) == 'table' then name = name.ok end
    if name == 'max-level' then top = tonumber(info[i + 1]) end
  end
  for layer = 1, #links - 1 - top do
    if #links[layer] > 0 then return -1 end
  end
  return 1
end

local function vrem_or_defer(set, element)
  local check = removal_check(set, element)
  if check ~= 1 then return check end
  return redis.call('VREM', set, element)
end

-- An element whose entry is gone leaves the set and its expiry index; one held back stays in the index as expired,
-- so the next sweep tries it again. Returns what vrem_or_defer did.
local function forget_element(set, expiry, element)
  local gone = vrem_or_defer(set, element)
  if gone == -1 then
    redis.call('ZADD', expiry, 0, element)
  else
    redis.call('ZREM', expiry, element)
  end
  return gone
end
`;

/** `vrem_or_defer` on one element (KEYS the set, ARGV the element), for removals outside the kit's other scripts. */
export const VREM_OR_DEFER = new LuaScript(`${LUA_VREM_OR_DEFER}return vrem_or_defer(KEYS[1], ARGV[1])`);

/**
 * `VADD` of an element that may exist: the server replaces an existing element by removing it first (the same
 * repair as `VREM`), so an existing one is checked first and the add waits when its removal would be held back. The
 * check only reads: a VADD the server refuses (a dimension the set does not have) leaves the old element as it was.
 * KEYS the set; ARGV the element, then VADD's arguments after the key. Returns VADD's reply, or -1 when held back.
 */
export const VADD_OR_DEFER = new LuaScript(`${LUA_VREM_OR_DEFER}
if removal_check(KEYS[1], ARGV[1]) == -1 then return -1 end
return redis.call('VADD', KEYS[1], unpack(ARGV, 2))`);
