/**
 * Rate limiting on Redis and Valkey: three algorithms behind one interface (`RateLimiter.limit(id, cost)`),
 * each one atomic Lua script on one key (so it works on a cluster), the caller's outage policy, response
 * headers (IETF and X-RateLimit-*) and Express middleware.
 */
import type { RedisClient } from '../connection.ts';
import { GCRA } from './gcra.ts';
import { type RateLimitAlgorithm, RedisRateLimiter, type RedisRateLimiterOptions } from './redis-limiter.ts';
import { SLIDING_WINDOW_COUNTER } from './sliding-window-counter.ts';
import { SLIDING_WINDOW_LOG } from './sliding-window-log.ts';

export { GCRA } from './gcra.ts';
export {
  formatRateLimit,
  formatRateLimitPolicy,
  type RateLimitHeaderOptions,
  rateLimitHeaders,
} from './headers.ts';
export { InMemoryRateLimiter } from './memory.ts';
export * from './middleware.ts';
export { decideWithoutRedis, type OutagePolicy, RateLimiterTimeoutError } from './outage.ts';
export { RATE_LIMIT_ALGORITHMS, type RateLimitAlgorithm, RedisRateLimiter, type RedisRateLimiterOptions } from './redis-limiter.ts';
export { SLIDING_WINDOW_COUNTER } from './sliding-window-counter.ts';
export { SLIDING_WINDOW_LOG } from './sliding-window-log.ts';
export type { DecisionSource, RateLimiter, RateLimitPolicy, RateLimitResult } from './types.ts';


/** A Redis rate limiter by algorithm name. */
export function createRateLimiter(
  client: RedisClient,
  algorithm: RateLimitAlgorithm,
  options: RedisRateLimiterOptions,
): RedisRateLimiter {
  switch (algorithm) {
    case 'sliding-window-log':
      return new RedisRateLimiter(client, algorithm, SLIDING_WINDOW_LOG, options);
    case 'sliding-window-counter':
      return new RedisRateLimiter(client, algorithm, SLIDING_WINDOW_COUNTER, options);
    case 'gcra':
      return new RedisRateLimiter(client, algorithm, GCRA, options);
  }
}
