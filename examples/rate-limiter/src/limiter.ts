/**
 * The orders API's policy: 100 requests per minute per API key, by the sliding-window log (exact, one sorted
 * set per key) unless RATE_LIMIT_ALGORITHM picks another. If Redis fails or does not answer within 250 ms, an
 * in-process limiter takes over with this instance's share of the quota, so an outage neither opens the API to
 * floods nor takes it down.
 */
import type { RedisClient } from '@redis-agent-kit/patterns';
import {
  createRateLimiter,
  InMemoryRateLimiter,
  type RateLimitAlgorithm,
  type RedisRateLimiter,
} from '@redis-agent-kit/patterns/ratelimit';

export const ORDERS_POLICY = { limit: 100, windowMs: 60_000 };

export interface OrdersLimiterOptions {
  algorithm?: RateLimitAlgorithm;
  /** Key namespace: keys are `<namespace>:<algorithm>:{<client id>}`. Default `orders:ratelimit`. */
  namespace?: string;
  /** Instances sharing the quota; each one's fallback gets its share while Redis is down. */
  instances?: number;
}

export function createOrdersLimiter(client: RedisClient, options: OrdersLimiterOptions = {}): RedisRateLimiter {
  const algorithm = options.algorithm ?? 'sliding-window-log';
  const instances = Math.max(1, options.instances ?? 1);
  const fallback = new InMemoryRateLimiter({
    limit: Math.max(1, Math.floor(ORDERS_POLICY.limit / instances)),
    windowMs: ORDERS_POLICY.windowMs,
  });
  return createRateLimiter(client, {
    algorithm,
    ...ORDERS_POLICY,
    // The algorithm is part of the key: each algorithm keeps another type under it (a sorted set, a hash, a
    // string), so switching RATE_LIMIT_ALGORITHM on a live server starts on fresh keys instead of WRONGTYPE.
    prefix: `${options.namespace ?? 'orders:ratelimit'}:${algorithm}`,
    timeoutMs: 250,
    onOutage: { fallback },
  });
}
