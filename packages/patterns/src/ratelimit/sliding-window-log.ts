/**
 * Sliding-window log: a sorted set per id holding one member per admitted unit, scored by the server time in
 * microseconds. Exact: a request is allowed when fewer than `limit` units were admitted in the last window.
 * Memory grows with the limit (one member per unit still in the window).
 *
 * The script trims, counts, adds and sets the expiry in one atomic step; the naive pipeline of the same
 * commands over-admits under concurrency (two clients both count 99, both add). Members must be unique, or
 * two requests in the same microsecond would collapse into one member and be counted once: each new score is
 * made strictly greater than the newest one, so scores (and the members, which are the scores) never repeat,
 * even when the server clock steps back. Scores are written with %.0f: Lua's default number formatting keeps
 * 14 digits, and a time in microseconds has 16.
 */
import type { RedisClient } from '../connection.ts';
import { LuaScript } from './lua-script.ts';
import { RedisRateLimiter, type RedisRateLimiterOptions } from './redis-limiter.ts';

export const SLIDING_WINDOW_LOG = new LuaScript(`
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window_ms = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local window = window_ms * 1000
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])

redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%.0f', now - window))
local count = redis.call('ZCARD', key)
local newest = nil
if count > 0 then
  newest = tonumber(redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2])
end

local allowed = count + cost <= limit
local retry = 0
if allowed then
  local score = now
  if newest ~= nil and newest >= score then score = newest + 1 end
  -- ZADD in batches: unpack() is bounded by the Lua stack.
  local batch = {}
  for i = 0, cost - 1 do
    local member = string.format('%.0f', score + i)
    batch[#batch + 1] = member
    batch[#batch + 1] = member
    if #batch >= 1000 or i == cost - 1 then
      redis.call('ZADD', key, unpack(batch))
      batch = {}
    end
  end
  redis.call('PEXPIRE', key, window_ms)
  count = count + cost
  newest = score + cost - 1
else
  -- Allowed again once enough of the oldest units have left the window to make room for cost.
  local nth = count + cost - limit - 1
  local oldest = tonumber(redis.call('ZRANGE', key, nth, nth, 'WITHSCORES')[2])
  retry = math.ceil((oldest + window - now) / 1000)
end

local reset = 0
if newest ~= nil then reset = math.ceil((newest + window - now) / 1000) end
return { allowed and 1 or 0, math.max(limit - count, 0), reset, retry, math.floor(now / 1000) }
`);

export class SlidingWindowLogLimiter extends RedisRateLimiter {
  constructor(client: RedisClient, options: RedisRateLimiterOptions) {
    super(client, 'sliding-window-log', SLIDING_WINDOW_LOG, options);
  }
}
