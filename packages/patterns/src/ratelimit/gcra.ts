/**
 * GCRA (generic cell rate algorithm): one string per id holding the theoretical arrival time (TAT), the moment
 * the id's quota would be back to full. Each unit pushes the TAT by the emission interval window/limit, and a
 * request is allowed while the TAT stays within one window of now. It allows a burst of `limit` and then
 * spaces requests evenly (one unit every window/limit), instead of letting a whole window's quota through at
 * the start of each window. Constant memory per id; a denied request writes nothing.
 */
import { LuaScript } from '../lua-script.ts';
import { type AlgorithmScripts, READ_ONLY, SCRIPT_ARGUMENTS } from './algorithm.ts';

/** The state both scripts read: the clock in microseconds and the id's TAT (now when it has none). */
const STATE = `${SCRIPT_ARGUMENTS}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local period = window_ms * 1000
local interval = period / limit
local tat = tonumber(redis.call('GET', key)) or now
if tat < now then tat = now end

-- Microseconds until units more fit, 0 when they fit now. A nanosecond of tolerance: limit intervals summed in
-- floating point can exceed the period by a rounding error.
local function wait_for(units, from)
  local allow_at = from + units * interval - period
  if allow_at <= now + 0.001 then return 0 end
  return allow_at - now
end

local function remaining(from)
  return math.min(math.max(math.floor((now + period - from) / interval + 0.000001), 0), limit)
end
`;

export const GCRA: AlgorithmScripts = {
  decide: new LuaScript(`${STATE}
local wait = wait_for(cost, tat)
local allowed = wait == 0
if allowed then
  tat = tat + cost * interval
  -- A Lua number argument reaches Redis with 17 significant digits: every digit of the fractional TAT (Lua's
  -- own tostring would round it to 14), without the cost of a string.format.
  redis.call('SET', key, tat, 'PX', math.ceil((tat - now) / 1000))
end
return { allowed and 1 or 0, remaining(tat), math.ceil((tat - now) / 1000), math.ceil(wait / 1000), math.floor(now / 1000) }
`),
  peek: new LuaScript(`${READ_ONLY}${STATE}
return { remaining(tat), math.ceil((tat - now) / 1000), math.ceil(wait_for(1, tat) / 1000), math.floor(now / 1000) }
`),
};
