/**
 * An in-process GCRA limiter, for the outage policy `{ fallback }`: while Redis is down each process limits
 * on its own, so give it the limit divided by the number of processes. Same semantics as the Redis GCRA
 * (a burst of `limit`, then one unit every window/limit); state is one number per id, and ids whose quota is
 * back to full are dropped every `SWEEP_EVERY` calls so the map does not grow without bound.
 */
import { type RateLimiter, type RateLimitPolicy, type RateLimitResult, validateCost, validatePolicy } from './types.ts';

const SWEEP_EVERY = 1000;

export interface InMemoryRateLimiterOptions extends RateLimitPolicy {
  /** The clock, in epoch ms (tests move it). Default `Date.now`. */
  now?: () => number;
}

export class InMemoryRateLimiter implements RateLimiter {
  readonly policy: RateLimitPolicy;
  private readonly now: () => number;
  private readonly tats = new Map<string, number>();
  private calls = 0;

  constructor(options: InMemoryRateLimiterOptions) {
    validatePolicy(options);
    this.policy = { limit: options.limit, windowMs: options.windowMs };
    this.now = options.now ?? Date.now;
  }

  /** Ids currently tracked (for tests and metrics). */
  get size(): number {
    return this.tats.size;
  }

  async limit(id: string, cost = 1): Promise<RateLimitResult> {
    validateCost(cost, this.policy);
    const now = this.now();
    if (++this.calls % SWEEP_EVERY === 0) this.sweep(now);
    const { limit, windowMs } = this.policy;
    const interval = windowMs / limit;
    let tat = Math.max(this.tats.get(id) ?? now, now);
    const allowAt = tat + cost * interval - windowMs;
    const allowed = allowAt <= now + 1e-6;
    if (allowed) {
      tat += cost * interval;
      this.tats.set(id, tat);
    }
    const remaining = Math.min(Math.max(Math.floor((now + windowMs - tat) / interval + 1e-9), 0), limit);
    const resetMs = Math.ceil(tat - now);
    return {
      allowed,
      limit,
      remaining,
      resetMs,
      resetAt: now + resetMs,
      retryAfterMs: allowed ? 0 : Math.ceil(allowAt - now),
      source: 'memory',
    };
  }

  private sweep(now: number): void {
    for (const [id, tat] of this.tats) if (tat <= now) this.tats.delete(id);
  }
}
