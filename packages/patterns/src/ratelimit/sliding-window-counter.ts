/**
 * Sliding-window counter: two fixed-window counts, the previous one weighted by how much of it still overlaps
 * the sliding window (Cloudflare's approximation). Constant memory per id: one small hash holding the current
 * window's index and both counts. It assumes the previous window's requests were spread evenly, so it can
 * admit a little more or less than the log around window boundaries; within one window it is exact.
 * A denied request writes nothing, so a flood of denials costs only reads.
 */
import { LuaScript } from '../lua-script.ts';
import { type AlgorithmScripts, READ_ONLY, SCRIPT_ARGUMENTS } from './algorithm.ts';

/** The state both scripts read: the clock in ms, the two windows' counts, and what the counts mean. */
const STATE = `${SCRIPT_ARGUMENTS}
local window = window_ms
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000

local index = math.floor(now / window)
local elapsed = now - index * window
local state = redis.call('HMGET', key, 'w', 'c', 'p')
local stored = tonumber(state[1])
local current, previous = 0, 0
if stored ~= nil and stored > index then
  -- The server clock stepped back: keep counting in the newer window rather than forget it.
  index, elapsed = stored, 0
end
if stored == index then
  current, previous = tonumber(state[2]), tonumber(state[3])
elseif stored == index - 1 then
  previous = tonumber(state[2])
end

local weight = (window - elapsed) / window
local used = previous * weight + current

-- Milliseconds until units more fit, 0 when they fit now (or within a rounding error of now).
local function wait_for(units)
  if used + units <= limit then return 0 end
  if current + units <= limit then
    -- Room comes within this window, as the previous window's weight shrinks.
    return math.max(math.ceil(window - (limit - current - units) * window / previous - elapsed), 0)
  end
  -- Room comes in the next window, as this window's count (then the previous one) loses weight.
  return math.max(math.ceil(window - elapsed + math.max(0, window - (limit - units) * window / current)), 0)
end

-- Milliseconds until both counts have lost all weight.
local function reset()
  if current > 0 then return math.ceil(2 * window - elapsed) end
  if previous > 0 then return math.ceil(window - elapsed) end
  return 0
end

local function remaining()
  return math.max(math.floor(limit - used), 0)
end
`;

export const SLIDING_WINDOW_COUNTER: AlgorithmScripts = {
  decide: new LuaScript(`${STATE}
local allowed = used + cost <= limit
local retry = 0
if allowed then
  current = current + cost
  used = used + cost
  redis.call('HSET', key, 'w', index, 'c', current, 'p', previous)
  -- The counts matter until the end of the next window (as the current one, then weighted as the previous
  -- one): the first write of a window sets that moment, later ones in it need not.
  if stored ~= index then redis.call('PEXPIREAT', key, (index + 2) * window) end
else
  retry = wait_for(cost)
end
return { allowed and 1 or 0, remaining(), reset(), retry, math.floor(now) }
`),
  peek: new LuaScript(`${READ_ONLY}${STATE}
return { remaining(), reset(), wait_for(1), math.floor(now) }
`),
};
