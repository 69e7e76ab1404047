/**
 * Sliding-window log: a sorted set per id holding one member per admitted unit, scored by the server time in
 * microseconds. Exact: a request is allowed when fewer than `limit` units were admitted in the last window.
 * Memory grows with the limit (one member per unit still in the window).
 *
 * The script trims, counts, adds and sets the expiry in one atomic step; the naive pipeline of the same
 * commands over-admits under concurrency (two clients both count 99, both add). Members must be unique, or
 * two requests in the same microsecond would collapse into one member and be counted once. A member is its
 * score, the time in microseconds, added with ZADD NX and handed to redis.call as a Lua number: Redis writes a
 * number argument with 17 significant digits, so all 16 digits of the time arrive (Lua's own tostring would keep
 * 14), and without a string.format, which cost a fifth of the script's time. If a member exists already (the same microsecond, a weighted
 * request's units, or the server clock stepped back onto a used microsecond) the remaining units are placed
 * just after the newest one. So the common path costs five commands (TIME, ZREMRANGEBYSCORE, ZCARD, ZADD,
 * PEXPIRE) and reads the set's members only on a collision or a denial.
 *
 * ARGV: limit, window in ms, cost, and optionally a time in microseconds instead of the server's: the limiter
 * never sends it; tests use it to make timestamps collide on purpose. The peek counts the members inside the
 * window (ZCOUNT) instead of trimming the older ones, so it writes nothing.
 */
import { LuaScript } from '../lua-script.ts';
import { type AlgorithmScripts, READ_ONLY, SCRIPT_ARGUMENTS } from './algorithm.ts';

/** What both scripts start with: the clock in microseconds and the newest member's score. */
const CLOCK = `${SCRIPT_ARGUMENTS}
local window = window_ms * 1000
local now = tonumber(ARGV[4])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end

local function newest()
  return tonumber(redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2])
end
`;

export const SLIDING_WINDOW_LOG: AlgorithmScripts = {
  decide: new LuaScript(`${CLOCK}
-- Adds members first, first + 1, ... (count of them) unless present; answers how many were added.
-- ZADD takes them in batches because unpack() is bounded by the Lua stack.
local function add(first, count)
  local added, batch = 0, { 'NX' }
  for i = 0, count - 1 do
    batch[#batch + 1] = first + i
    batch[#batch + 1] = first + i
    if #batch > 1000 or i == count - 1 then
      added = added + redis.call('ZADD', key, unpack(batch))
      batch = { 'NX' }
    end
  end
  return added
end

redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)

if count + cost <= limit then
  local last = now + cost - 1
  local added
  if cost == 1 then
    -- The common case without the batch table: about a tenth of the script's time.
    added = redis.call('ZADD', key, 'NX', now, now)
  else
    added = add(now, cost)
  end
  if added < cost then
    last = newest()
    add(last + 1, cost - added)
    last = last + cost - added
  end
  redis.call('PEXPIRE', key, window_ms)
  count = count + cost
  return { 1, limit - count, math.ceil((last + window - now) / 1000), 0, math.floor(now / 1000) }
end

-- Denied: allowed again once enough of the oldest units have left the window to make room for cost.
local nth = count + cost - limit - 1
local oldest = tonumber(redis.call('ZRANGE', key, nth, nth, 'WITHSCORES')[2])
local retry = math.ceil((oldest + window - now) / 1000)
return { 0, limit - count, math.ceil((newest() + window - now) / 1000), retry, math.floor(now / 1000) }
`),
  peek: new LuaScript(`${READ_ONLY}${CLOCK}
-- The members the decision would keep: scored after now - window.
local after = string.format('(%.0f', now - window)
local count = redis.call('ZCOUNT', key, after, '+inf')
local reset, retry = 0, 0
if count > 0 then reset = math.ceil((newest() + window - now) / 1000) end
if count >= limit then
  -- One unit fits once the oldest members beyond limit - 1 have left the window.
  local oldest = tonumber(redis.call('ZRANGE', key, after, '+inf', 'BYSCORE', 'LIMIT', count - limit, 1, 'WITHSCORES')[2])
  retry = math.ceil((oldest + window - now) / 1000)
end
return { math.max(limit - count, 0), reset, retry, math.floor(now / 1000) }
`),
};
