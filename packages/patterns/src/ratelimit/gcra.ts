/**
 * GCRA (generic cell rate algorithm): one string per id holding the theoretical arrival time (TAT), the moment
 * the id's quota would be back to full. Each unit pushes the TAT by the emission interval window/limit, and a
 * request is allowed while the TAT stays within one window of now. It allows a burst of `limit` and then
 * spaces requests evenly (one unit every window/limit), instead of letting a whole window's quota through at
 * the start of each window. Constant memory per id; a denied request writes nothing.
 */
import { LuaScript } from '../lua-script.ts';
import { SCRIPT_ARGUMENTS } from './redis-limiter.ts';

export const GCRA = new LuaScript(`${SCRIPT_ARGUMENTS}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local period = window_ms * 1000
local interval = period / limit

local tat = tonumber(redis.call('GET', key)) or now
if tat < now then tat = now end
local new_tat = tat + cost * interval
local allow_at = new_tat - period
-- A nanosecond of tolerance: limit intervals summed in floating point can exceed the period by a rounding error.
local allowed = allow_at <= now + 0.001
local retry = 0
if allowed then
  tat = new_tat
  -- %.17g keeps every digit of the fractional TAT (the default %.14g would round it).
  redis.call('SET', key, string.format('%.17g', tat), 'PX', math.ceil((tat - now) / 1000))
else
  retry = math.ceil((allow_at - now) / 1000)
end
local remaining = math.floor((now + period - tat) / interval + 0.000001)
remaining = math.min(math.max(remaining, 0), limit)
return { allowed and 1 or 0, remaining, math.ceil((tat - now) / 1000), retry, math.floor(now / 1000) }
`);
