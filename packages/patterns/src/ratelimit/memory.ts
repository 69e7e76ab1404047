/**
 * An in-process GCRA limiter, for the outage policy `{ fallback }`: while Redis is down each process limits
 * on its own, so give it the limit divided by the number of processes. Same semantics as the Redis GCRA
 * (a burst of `limit`, then one unit every window/limit); state is one number per id. Ids whose quota is back to
 * full are dropped every `SWEEP_EVERY` calls, and at most `maxIds` ids are kept (the oldest go first), so an
 * outage under a flood of distinct ids cannot grow the map without bound.
 *
 * As a fallback it also follows Redis: the Redis limiter reports every denial Redis made (`denyFor`), so when
 * Redis stops answering this limiter keeps denying what Redis was denying instead of granting a fresh burst.
 */
import type { FollowsRedisDenials } from './outage.ts';
import { type RateLimiter, type RateLimitPolicy, type RateLimitResult, validateCost, validatePolicy } from './types.ts';

const SWEEP_EVERY = 1000;

export interface InMemoryRateLimiterOptions extends RateLimitPolicy {
  /** The clock, in epoch ms (tests move it). Default `Date.now`. */
  now?: () => number;
  /** Most ids tracked at once; beyond it the oldest tracked id is forgotten. */
  maxIds?: number;
}

export const IN_MEMORY_RATE_LIMIT_DEFAULTS = {
  maxIds: 100_000,
} as const;

export class InMemoryRateLimiter implements RateLimiter, FollowsRedisDenials {
  readonly policy: RateLimitPolicy;
  readonly maxIds: number;
  private readonly now: () => number;
  private readonly interval: number;
  private readonly tats = new Map<string, number>();
  private calls = 0;

  constructor(options: InMemoryRateLimiterOptions) {
    validatePolicy(options);
    const maxIds = options.maxIds ?? IN_MEMORY_RATE_LIMIT_DEFAULTS.maxIds;
    if (!Number.isSafeInteger(maxIds) || maxIds < 1)
      throw new RangeError(`maxIds must be a positive integer, got ${maxIds}`);
    this.policy = { limit: options.limit, windowMs: options.windowMs };
    this.maxIds = maxIds;
    this.now = options.now ?? Date.now;
    this.interval = options.windowMs / options.limit;
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
    const interval = this.interval;
    let tat = Math.max(this.tats.get(id) ?? now, now);
    const allowAt = tat + cost * interval - windowMs;
    const allowed = allowAt <= now + 1e-6;
    if (allowed) {
      tat += cost * interval;
      this.track(id, tat);
    }
    // A millionth of a unit of tolerance: window/limit is rarely exact in floating point (60000/33).
    const remaining = Math.min(Math.max(Math.floor((now + windowMs - tat) / interval + 1e-6), 0), limit);
    const resetMs = Math.ceil(tat - now);
    return {
      allowed,
      limit,
      windowMs,
      remaining,
      resetMs,
      resetAt: now + resetMs,
      retryAfterMs: allowed ? 0 : Math.ceil(allowAt - now),
      source: 'memory',
    };
  }

  /** Denies `cost` units of `id` for the next `retryAfterMs` (Redis denied them): it never shortens a wait. */
  denyFor(id: string, cost: number, retryAfterMs: number): void {
    const now = this.now();
    const units = Math.min(Math.max(cost, 1), this.policy.limit);
    // The TAT at which `units` fit again exactly `retryAfterMs` from now (see the allowAt of limit()).
    const tat = now + retryAfterMs + this.policy.windowMs - units * this.interval;
    if (tat > (this.tats.get(id) ?? now)) this.track(id, tat);
  }

  private track(id: string, tat: number): void {
    this.tats.set(id, tat);
    // Full: forget the id tracked longest (a Map iterates in insertion order), in O(1).
    if (this.tats.size > this.maxIds) this.tats.delete(this.tats.keys().next().value as string);
  }

  private sweep(now: number): void {
    for (const [id, tat] of this.tats) if (tat <= now) this.tats.delete(id);
  }
}
