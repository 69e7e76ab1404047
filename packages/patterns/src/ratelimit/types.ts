/** The one interface every rate limiter of this module implements, and the decision it returns. */

/** Where a decision came from: Redis, an in-process limiter, or the outage policy when Redis failed or timed out. */
export type DecisionSource = 'redis' | 'memory' | 'fail-open' | 'fail-closed' | 'fallback';

export interface RateLimitResult {
  allowed: boolean;
  /** The limit per window (the policy's quota). */
  limit: number;
  /** Units still available right after this decision. */
  remaining: number;
  /** Milliseconds until the full limit is available again. */
  resetMs: number;
  /** Epoch milliseconds of that moment (by the server's clock when Redis decided). */
  resetAt: number;
  /** Milliseconds until a request of the same cost would be allowed; 0 when allowed. */
  retryAfterMs: number;
  source: DecisionSource;
  /** The Redis error (redacted) that made the outage policy decide. */
  error?: Error;
}

/** An id's state as `peek` reads it, without consuming anything. */
export interface RateLimitState {
  /** The limit per window (the policy's quota). */
  limit: number;
  /** Units available now. */
  remaining: number;
  /** Milliseconds until the full limit is available again. */
  resetMs: number;
  /** Epoch milliseconds of that moment, by the server's clock. */
  resetAt: number;
  /** Milliseconds until one unit is available; 0 while `remaining` > 0. */
  retryAfterMs: number;
}

export interface RateLimitPolicy {
  /** Units allowed per window. */
  limit: number;
  windowMs: number;
}

export interface RateLimiter {
  readonly policy: RateLimitPolicy;
  /** Decides one request for `key`, consuming `cost` units (default 1) when it is allowed. */
  limit(key: string, cost?: number): Promise<RateLimitResult>;
}

/** Throws a RangeError unless the policy is two positive integers (the window in whole milliseconds). */
export function validatePolicy(policy: RateLimitPolicy): void {
  if (!Number.isSafeInteger(policy.limit) || policy.limit < 1) {
    throw new RangeError(`limit must be a positive integer, got ${policy.limit}`);
  }
  if (!Number.isSafeInteger(policy.windowMs) || policy.windowMs < 1) {
    throw new RangeError(`windowMs must be a positive integer (milliseconds), got ${policy.windowMs}`);
  }
}

/** Throws a RangeError unless 1 <= cost <= limit: a cost above the limit could never be allowed. */
export function validateCost(cost: number, policy: RateLimitPolicy): void {
  if (!Number.isSafeInteger(cost) || cost < 1 || cost > policy.limit) {
    throw new RangeError(`cost must be an integer from 1 to the limit (${policy.limit}), got ${cost}`);
  }
}
