/**
 * Rate limiting on Redis and Valkey (`@redis-agent-kit/patterns/ratelimit`): `createRateLimiter(client, options)`
 * runs one of three algorithms, each one atomic Lua script on one key (so it works on a cluster), with the caller's
 * outage policy; `limit(id, cost)` decides and `peek(id)` reads the state. Response headers (IETF and
 * X-RateLimit-*), Express middleware and an in-process limiter for the outage fallback. The scripts and the
 * outage decision are internal.
 */
export { RATE_LIMIT_ALGORITHMS, type RateLimitAlgorithm } from './algorithm.ts';
export { formatRateLimit, formatRateLimitPolicy, type RateLimitHeaderOptions, rateLimitHeaders } from './headers.ts';
export { IN_MEMORY_RATE_LIMIT_DEFAULTS, InMemoryRateLimiter, type InMemoryRateLimiterOptions } from './memory.ts';
export {
  defaultRateLimitKey,
  rateLimit,
  type RateLimitMiddlewareOptions,
  type RateLimitNext,
  type RateLimitRequest,
  type RateLimitResponse,
} from './middleware.ts';
export { type FollowsRedisDenials, type OutagePolicy, RateLimiterKeyError, RateLimiterTimeoutError } from './outage.ts';
export {
  createRateLimiter,
  type OutageStats,
  RATE_LIMIT_DEFAULTS,
  type RateLimiterOptions,
  type RedisRateLimiter,
} from './redis-limiter.ts';
export type { DecisionSource, RateLimiter, RateLimitPolicy, RateLimitResult, RateLimitState } from './types.ts';
