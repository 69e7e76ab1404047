/**
 * The Redis rate limiter: one key per limited id, the algorithm's Lua scripts on it (algorithm.ts), a bounded wait,
 * and the caller's outage policy. Built by `createRateLimiter(client, options)`, which derives the scripts from
 * `options.algorithm`, so an algorithm and its script cannot disagree.
 */
import { type RedisClient, redactClientError } from '../connection.ts';
import type { LuaScript } from '../lua-script.ts';
import { withTimeout } from '../timeout.ts';
import { type AlgorithmScripts, type RateLimitAlgorithm, RATE_LIMIT_ALGORITHMS } from './algorithm.ts';
import { GCRA } from './gcra.ts';
import { decideWithoutRedis, type OutagePolicy, RateLimiterTimeoutError, timeoutError } from './outage.ts';
import { SLIDING_WINDOW_COUNTER } from './sliding-window-counter.ts';
import { SLIDING_WINDOW_LOG } from './sliding-window-log.ts';
import {
  type RateLimiter,
  type RateLimitPolicy,
  type RateLimitResult,
  type RateLimitState,
  validateCost,
  validatePolicy,
} from './types.ts';

export interface RateLimiterOptions extends RateLimitPolicy {
  /**
   * `sliding-window-log` (exact; one sorted-set member per admitted unit), `sliding-window-counter` (two counts;
   * approximates around window boundaries) or `gcra` (one timestamp; a burst of `limit`, then evenly spaced).
   * No default: the trade-off is the caller's.
   */
  algorithm: RateLimitAlgorithm;
  /**
   * Keys are `<prefix>:{<id>}`; default `ratelimit:<algorithm>`. Give each policy (route, plan) its own prefix:
   * two limiters with different windows must not share keys.
   */
  prefix?: string;
  /** Longest wait for Redis, in ms, before the outage policy decides. */
  timeoutMs?: number;
  /** What to decide when Redis fails or times out. No default: the caller must choose. */
  onOutage: OutagePolicy;
}

/** The defaults of the options that have one (the prefix's depends on the algorithm: `ratelimit:<algorithm>`). */
export const RATE_LIMIT_DEFAULTS = {
  timeoutMs: 500,
} as const;

/** Each algorithm's scripts, by name. */
export const ALGORITHM_SCRIPTS: Readonly<Record<RateLimitAlgorithm, AlgorithmScripts>> = {
  'sliding-window-log': SLIDING_WINDOW_LOG,
  'sliding-window-counter': SLIDING_WINDOW_COUNTER,
  gcra: GCRA,
};

/** Built by `createRateLimiter(client, options)`; exported as a type only. */
export class RedisRateLimiter implements RateLimiter {
  readonly algorithm: RateLimitAlgorithm;
  readonly policy: RateLimitPolicy;
  readonly prefix: string;
  readonly timeoutMs: number;
  readonly #client: RedisClient;
  readonly #scripts: AlgorithmScripts;
  readonly #onOutage: OutagePolicy;

  constructor(client: RedisClient, options: RateLimiterOptions) {
    validatePolicy(options);
    if (!RATE_LIMIT_ALGORITHMS.includes(options.algorithm)) {
      throw new RangeError(
        `algorithm must be one of ${RATE_LIMIT_ALGORITHMS.join(', ')}, got ${JSON.stringify(options.algorithm)}`,
      );
    }
    const timeoutMs = options.timeoutMs ?? RATE_LIMIT_DEFAULTS.timeoutMs;
    if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be a number > 0, got ${timeoutMs}`);
    this.#client = client;
    this.algorithm = options.algorithm;
    this.#scripts = ALGORITHM_SCRIPTS[options.algorithm];
    this.policy = { limit: options.limit, windowMs: options.windowMs };
    this.prefix = options.prefix ?? `ratelimit:${options.algorithm}`;
    this.timeoutMs = timeoutMs;
    this.#onOutage = options.onOutage;
  }

  /** The Redis key of an id; the id is the hash tag, so related keys a caller adds can share its slot. */
  keyFor(id: string): string {
    return `${this.prefix}:{${id}}`;
  }

  /** Decides one request for `id`, consuming `cost` units when allowed; the outage policy decides when Redis cannot. */
  async limit(id: string, cost = 1): Promise<RateLimitResult> {
    validateCost(cost, this.policy);
    let reply: number[];
    try {
      reply = await this.#run(this.#scripts.decide, id, cost);
    } catch (error) {
      return decideWithoutRedis(this.#onOutage, this.policy, id, cost, redactClientError(this.#client, error));
    }
    const [allowed, remaining, resetMs, retryAfterMs, nowMs] = reply as [number, number, number, number, number];
    return {
      allowed: allowed === 1,
      limit: this.policy.limit,
      remaining,
      resetMs,
      resetAt: nowMs + resetMs,
      retryAfterMs,
      source: 'redis',
    };
  }

  /**
   * The state of `id` without consuming anything: one read-only script, atomic like `limit`. No outage policy
   * guesses a state: when Redis fails or does not answer within `timeoutMs`, it rejects with the (redacted) error.
   */
  async peek(id: string): Promise<RateLimitState> {
    let reply: number[];
    try {
      reply = await this.#run(this.#scripts.peek, id, 1);
    } catch (error) {
      // Our own timeout holds no secret: kept as is, so callers can tell it apart.
      throw error instanceof RateLimiterTimeoutError ? error : redactClientError(this.#client, error);
    }
    const [remaining, resetMs, retryAfterMs, nowMs] = reply as [number, number, number, number];
    return { limit: this.policy.limit, remaining, resetMs, resetAt: nowMs + resetMs, retryAfterMs };
  }

  async #run(script: LuaScript, id: string, cost: number): Promise<number[]> {
    const call = script.run(this.#client, [this.keyFor(id)], [this.policy.limit, this.policy.windowMs, cost]);
    const late = timeoutError(`rate limiter ${this.algorithm}`, this.timeoutMs);
    return (await withTimeout(call, this.timeoutMs, late)) as number[];
  }
}

/** A rate limiter on Redis running `options.algorithm`. Throws a RangeError for an invalid policy or algorithm. */
export function createRateLimiter(client: RedisClient, options: RateLimiterOptions): RedisRateLimiter {
  return new RedisRateLimiter(client, options);
}
