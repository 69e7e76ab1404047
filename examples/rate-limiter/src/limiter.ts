/**
 * The orders API's policy: 100 requests per minute per API key, by the sliding-window log (exact, one sorted
 * set per key). If Redis fails or does not answer within 250 ms, an in-process limiter takes over, so an outage
 * neither opens the API to floods nor takes it down. With several instances, divide its limit between them.
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
  /** Key prefix: keys are `<prefix>:{<client id>}`. */
  prefix?: string;
  /** Instances sharing the quota; each one's fallback gets its share while Redis is down. */
  instances?: number;
}

export function createOrdersLimiter(client: RedisClient, options: OrdersLimiterOptions = {}): RedisRateLimiter {
  const instances = Math.max(1, options.instances ?? 1);
  const fallback = new InMemoryRateLimiter({
    limit: Math.max(1, Math.floor(ORDERS_POLICY.limit / instances)),
    windowMs: ORDERS_POLICY.windowMs,
  });
  return createRateLimiter(client, {
    algorithm: options.algorithm ?? 'sliding-window-log',
    ...ORDERS_POLICY,
    prefix: options.prefix ?? 'orders:ratelimit',
    timeoutMs: 250,
    onOutage: { fallback },
  });
}
