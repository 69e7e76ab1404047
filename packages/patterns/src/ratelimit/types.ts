/** The one interface every rate limiter of this module implements, and the decision it returns. */

/** Where a decision came from: Redis, an in-process limiter, or the outage policy when Redis failed or timed out. */
export type DecisionSource = 'redis' | 'memory' | 'fail-open' | 'fail-closed' | 'fallback';

export interface RateLimitResult {
  allowed: boolean;
  /**
   * The quota of the policy that decided: the limiter's own, or during an outage the fallback limiter's (often a
   * share of it). Headers and messages describe this policy, so they agree with the decision.
   */
  limit: number;
  /** The window of that policy, in milliseconds. */
  windowMs: number;
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

/** Why `cost` cannot be decided under `policy`, or undefined when 1 <= cost <= limit is a whole number. */
export function costProblem(cost: number, policy: RateLimitPolicy): string | undefined {
  if (Number.isSafeInteger(cost) && cost >= 1 && cost <= policy.limit) return undefined;
  // A cost above the limit could never be allowed, however long the client waits.
  return `cost must be a whole number from 1 to the limit (${policy.limit}), got ${typeof cost === 'number' ? String(cost) : `a ${typeof cost}`}`;
}

/** Throws a RangeError unless 1 <= cost <= limit is a whole number. */
export function validateCost(cost: number, policy: RateLimitPolicy): void {
  const problem = costProblem(cost, policy);
  if (problem) throw new RangeError(problem);
}
