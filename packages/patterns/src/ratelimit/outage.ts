/**
 * What a limiter decides when Redis fails or does not answer in time, chosen by the caller:
 * - `'fail-open'`: allow (availability first: an outage must not take the API down with it);
 * - `'fail-closed'`: deny (protection first: an expensive or abusable endpoint);
 * - `{ fallback }`: ask an in-process limiter instead (like rate-limiter-flexible's insuranceLimiter), e.g.
 *   an `InMemoryRateLimiter` with the limit divided by the number of instances.
 * Every Redis call is bounded by a timeout, so a frozen server (SIGSTOP, a long blocking command, a network
 * partition without RST) costs a request at most `timeoutMs` instead of hanging it. A timeout is declared only
 * when Redis's reply has not reached this process (see timeout.ts): an event-loop stall never turns an answer
 * Redis gave into a second decision.
 *
 * Give the limiter a client made with `offlineQueue: false`. While it is disconnected its commands then fail at
 * once (the policy decides without waiting for the timeout) instead of waiting in ioredis' offline queue to be
 * replayed on reconnection, where they would consume quota for requests that were already decided. (A command
 * already sent to a frozen server still runs when it thaws: nothing can take it back. Its late reply is
 * accounted for: see `OutageStats`.)
 */
import type { RateLimiter, RateLimitPolicy, RateLimitResult } from './types.ts';

export type OutagePolicy = 'fail-open' | 'fail-closed' | { fallback: RateLimiter };

/**
 * What a fallback limiter may implement to follow Redis (`InMemoryRateLimiter` does): the Redis limiter tells it
 * every denial Redis made, in time or in a late reply, so that while Redis cannot answer it keeps denying what
 * Redis denied rather than granting a fresh quota to an id that had used up its own.
 */
export interface FollowsRedisDenials {
  /** Redis denied `cost` units of `id`; they fit again in `retryAfterMs` at the earliest. */
  denyFor(id: string, cost: number, retryAfterMs: number): void;
}

export function followsRedisDenials(limiter: RateLimiter): (RateLimiter & FollowsRedisDenials) | undefined {
  return typeof (limiter as Partial<FollowsRedisDenials>).denyFor === 'function'
    ? (limiter as RateLimiter & FollowsRedisDenials)
    : undefined;
}

/** How long a denial without a known end asks the client to wait: short, the outage may be over in a moment. */
const OUTAGE_RETRY_MS = 1000;

export class RateLimiterTimeoutError extends Error {
  override readonly name = 'RateLimiterTimeoutError';
}

/** A key that holds another type than the algorithm's (WRONGTYPE): not an outage but a configuration problem. */
export class RateLimiterKeyError extends Error {
  override readonly name = 'RateLimiterKeyError';
}

/** What a limiter's bounded wait for Redis ends with after `ms`. */
export function timeoutError(what: string, ms: number): () => RateLimiterTimeoutError {
  return () => new RateLimiterTimeoutError(`${what} got no answer within ${ms} ms: is the Redis server overloaded?`);
}

/** The error an outage decision carries: a WRONGTYPE says which key and what to do; others as they are. */
export function outageError(error: Error, key: string, algorithm: string): Error {
  if (!error.message.startsWith('WRONGTYPE')) return error;
  return new RateLimiterKeyError(
    `rate limiter ${algorithm}: key ${JSON.stringify(key)} holds another type of value (WRONGTYPE): another ` +
      'algorithm or program writes under this prefix; give each limiter a prefix of its own',
    { cause: error },
  );
}

/** The decision of `outage` for a request Redis could not decide. Never rejects. */
export async function decideWithoutRedis(
  outage: OutagePolicy,
  policy: RateLimitPolicy,
  key: string,
  cost: number,
  error: Error,
): Promise<RateLimitResult> {
  const now = Date.now();
  if (typeof outage === 'object') {
    const fallback = outage.fallback;
    if (cost <= fallback.policy.limit) {
      try {
        return { ...(await fallback.limit(key, cost)), source: 'fallback', error };
      } catch {
        // A fallback that fails too: deny as below rather than reject.
      }
    }
    // The fallback's policy cannot admit this cost (it is above its share of the limit): deny under it until
    // Redis decides again.
    return denied(fallback.policy, now, 'fallback', error);
  }
  if (outage === 'fail-open') {
    // Nothing is known about the real usage: report the window as if it had just started.
    return {
      allowed: true,
      limit: policy.limit,
      windowMs: policy.windowMs,
      remaining: policy.limit - cost,
      resetMs: policy.windowMs,
      resetAt: now + policy.windowMs,
      retryAfterMs: 0,
      source: 'fail-open',
      error,
    };
  }
  return denied(policy, now, 'fail-closed', error);
}

function denied(
  policy: RateLimitPolicy,
  now: number,
  source: 'fallback' | 'fail-closed',
  error: Error,
): RateLimitResult {
  const retryAfterMs = Math.min(OUTAGE_RETRY_MS, policy.windowMs);
  return {
    allowed: false,
    limit: policy.limit,
    windowMs: policy.windowMs,
    remaining: 0,
    resetMs: retryAfterMs,
    resetAt: now + retryAfterMs,
    retryAfterMs,
    source,
    error,
  };
}
