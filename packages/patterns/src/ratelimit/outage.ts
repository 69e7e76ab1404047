/**
 * What a limiter decides when Redis fails or does not answer in time, chosen by the caller:
 * - `'fail-open'`: allow (availability first: an outage must not take the API down with it);
 * - `'fail-closed'`: deny (protection first: an expensive or abusable endpoint);
 * - `{ fallback }`: ask an in-process limiter instead (like rate-limiter-flexible's insuranceLimiter), e.g.
 *   an `InMemoryRateLimiter` with the limit divided by the number of instances.
 * Every Redis call is bounded by a timeout, so a frozen server (SIGSTOP, a long blocking command, a network
 * partition without RST) costs a request at most `timeoutMs` instead of hanging it.
 *
 * Give the limiter a client made with `offlineQueue: false`. While it is disconnected its commands then fail at
 * once (the policy decides without waiting for the timeout) instead of waiting in ioredis' offline queue to be
 * replayed on reconnection, where they would consume quota for requests that were already decided. (A command
 * already sent to a frozen server still runs when it thaws: nothing can take it back.)
 */
import type { RateLimiter, RateLimitPolicy, RateLimitResult } from './types.ts';

export type OutagePolicy = 'fail-open' | 'fail-closed' | { fallback: RateLimiter };

/** How long a fail-closed denial asks the client to wait: short, the outage may be over in a moment. */
const FAIL_CLOSED_RETRY_MS = 1000;

export class RateLimiterTimeoutError extends Error {
  override readonly name = 'RateLimiterTimeoutError';
}

/** What a limiter's bounded wait for Redis (`withTimeout`) ends with after `ms`. */
export function timeoutError(what: string, ms: number): () => RateLimiterTimeoutError {
  return () => new RateLimiterTimeoutError(`${what} got no answer within ${ms} ms: is the Redis server overloaded?`);
}


/** The decision of `outage` for a request Redis could not decide. */
export async function decideWithoutRedis(
  outage: OutagePolicy,
  policy: RateLimitPolicy,
  key: string,
  cost: number,
  error: Error,
): Promise<RateLimitResult> {
  const now = Date.now();
  if (typeof outage === 'object') {
    return { ...(await outage.fallback.limit(key, cost)), source: 'fallback', error };
  }
  if (outage === 'fail-open') {
    // Nothing is known about the real usage: report the window as if it had just started.
    return {
      allowed: true,
      limit: policy.limit,
      remaining: policy.limit - cost,
      resetMs: policy.windowMs,
      resetAt: now + policy.windowMs,
      retryAfterMs: 0,
      source: 'fail-open',
      error,
    };
  }
  const retryAfterMs = Math.min(FAIL_CLOSED_RETRY_MS, policy.windowMs);
  return {
    allowed: false,
    limit: policy.limit,
    remaining: 0,
    resetMs: retryAfterMs,
    resetAt: now + retryAfterMs,
    retryAfterMs,
    source: 'fail-closed',
    error,
  };
}
