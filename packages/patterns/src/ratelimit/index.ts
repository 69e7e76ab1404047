/**
 * Rate limiting on Redis and Valkey: three algorithms behind one interface (`RateLimiter.limit(id, cost)`),
 * each one atomic Lua script on one key (so it works on a cluster), the caller's outage policy, response
 * headers (IETF and X-RateLimit-*) and Express middleware.
 */
import type { RedisClient } from '../connection.ts';
import { GcraLimiter } from './gcra.ts';
import type { Algorithm, RedisRateLimiter, RedisRateLimiterOptions } from './redis-limiter.ts';
import { SlidingWindowCounterLimiter } from './sliding-window-counter.ts';
import { SlidingWindowLogLimiter } from './sliding-window-log.ts';

export { GCRA, GcraLimiter } from './gcra.ts';
export * from './headers.ts';
export { isNoScript, LuaScript } from './lua-script.ts';
export { InMemoryRateLimiter } from './memory.ts';
export * from './middleware.ts';
export { decideWithoutRedis, type OutagePolicy, RateLimiterTimeoutError, withTimeout } from './outage.ts';
export { type Algorithm, RedisRateLimiter, type RedisRateLimiterOptions } from './redis-limiter.ts';
export { SLIDING_WINDOW_COUNTER, SlidingWindowCounterLimiter } from './sliding-window-counter.ts';
export { SLIDING_WINDOW_LOG, SlidingWindowLogLimiter } from './sliding-window-log.ts';
export * from './types.ts';

export const ALGORITHMS: readonly Algorithm[] = ['sliding-window-log', 'sliding-window-counter', 'gcra'];

/** A Redis rate limiter by algorithm name. */
export function createRateLimiter(
  client: RedisClient,
  algorithm: Algorithm,
  options: RedisRateLimiterOptions,
): RedisRateLimiter {
  switch (algorithm) {
    case 'sliding-window-log':
      return new SlidingWindowLogLimiter(client, options);
    case 'sliding-window-counter':
      return new SlidingWindowCounterLimiter(client, options);
    case 'gcra':
      return new GcraLimiter(client, options);
  }
}
