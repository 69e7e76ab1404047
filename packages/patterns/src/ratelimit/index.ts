/**
 * Rate limiting on Redis and Valkey: three algorithms behind one interface (`RateLimiter.limit(id, cost)`),
 * each one atomic Lua script on one key (so it works on a cluster), the caller's outage policy, response
 * headers (IETF and X-RateLimit-*) and Express middleware.
 */
import type { RedisClient } from '../connection.ts';
import { GcraLimiter } from './gcra.ts';
import type { RateLimitAlgorithm, RedisRateLimiter, RedisRateLimiterOptions } from './redis-limiter.ts';
import { SlidingWindowCounterLimiter } from './sliding-window-counter.ts';
import { SlidingWindowLogLimiter } from './sliding-window-log.ts';

export { GCRA, GcraLimiter } from './gcra.ts';
export {
  formatRateLimit,
  formatRateLimitPolicy,
  type RateLimitHeaderOptions,
  rateLimitHeaders,
} from './headers.ts';
export { isNoScript, LuaScript } from './lua-script.ts';
export { InMemoryRateLimiter } from './memory.ts';
export * from './middleware.ts';
export { decideWithoutRedis, type OutagePolicy, RateLimiterTimeoutError } from './outage.ts';
export { type RateLimitAlgorithm, RedisRateLimiter, type RedisRateLimiterOptions } from './redis-limiter.ts';
export { SLIDING_WINDOW_COUNTER, SlidingWindowCounterLimiter } from './sliding-window-counter.ts';
export { SLIDING_WINDOW_LOG, SlidingWindowLogLimiter } from './sliding-window-log.ts';
export type { DecisionSource, RateLimiter, RateLimitPolicy, RateLimitResult } from './types.ts';

export const RATE_LIMIT_ALGORITHMS: readonly RateLimitAlgorithm[] = [
  'sliding-window-log',
  'sliding-window-counter',
  'gcra',
];

/** A Redis rate limiter by algorithm name. */
export function createRateLimiter(
  client: RedisClient,
  algorithm: RateLimitAlgorithm,
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
