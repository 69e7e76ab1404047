/**
 * What the three Redis algorithms share: one key per limited id, one Lua script per decision (atomic, so
 * concurrent requests can never both take the last unit), the server's clock (app servers' clocks drift; the
 * script reads TIME), a bounded wait, and the caller's outage policy.
 *
 * Every script takes KEYS[1] = the id's key and ARGV = limit, window in ms, cost, and answers
 * { allowed 0|1, remaining, reset ms, retry-after ms, server time ms }.
 */
import { type RedisClient, redactClientError } from '../connection.ts';
import type { LuaScript } from '../lua-script.ts';
import { withTimeout } from '../timeout.ts';
import { decideWithoutRedis, type OutagePolicy, timeoutError } from './outage.ts';
import { type RateLimiter, type RateLimitPolicy, type RateLimitResult, validateCost, validatePolicy } from './types.ts';

export const RATE_LIMIT_ALGORITHMS = ['sliding-window-log', 'sliding-window-counter', 'gcra'] as const;
export type RateLimitAlgorithm = (typeof RATE_LIMIT_ALGORITHMS)[number];

export interface RedisRateLimiterOptions extends RateLimitPolicy {
  /**
   * Keys are `<prefix>:{<id>}`; default `ratelimit:<algorithm>`. Give each policy (route, plan) its own prefix:
   * two limiters with different windows must not share keys.
   */
  prefix?: string;
  /** Longest wait for Redis before the outage policy decides. Default 500 ms. */
  timeoutMs?: number;
  /** What to decide when Redis fails or times out. No default: the caller must choose. */
  onOutage: OutagePolicy;
}

/** The start of every limiter script: its key and arguments, named. */
export const SCRIPT_ARGUMENTS = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window_ms = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
`;

const DEFAULT_TIMEOUT_MS = 500;

export class RedisRateLimiter implements RateLimiter {
  readonly algorithm: RateLimitAlgorithm;
  readonly policy: RateLimitPolicy;
  readonly prefix: string;
  /** The algorithm's script (its `sha` is what SCRIPT EXISTS looks for). */
  readonly script: LuaScript;
  private readonly client: RedisClient;
  private readonly timeoutMs: number;
  private readonly onOutage: OutagePolicy;

  constructor(client: RedisClient, algorithm: RateLimitAlgorithm, script: LuaScript, options: RedisRateLimiterOptions) {
    validatePolicy(options);
    this.client = client;
    this.algorithm = algorithm;
    this.script = script;
    this.policy = { limit: options.limit, windowMs: options.windowMs };
    this.prefix = options.prefix ?? `ratelimit:${algorithm}`;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.onOutage = options.onOutage;
  }

  /** The Redis key of an id; the id is the hash tag, so related keys a caller adds can share its slot. */
  keyFor(id: string): string {
    return `${this.prefix}:{${id}}`;
  }

  async limit(id: string, cost = 1): Promise<RateLimitResult> {
    validateCost(cost, this.policy);
    let reply: number[];
    try {
      const call = this.script.run(this.client, [this.keyFor(id)], [this.policy.limit, this.policy.windowMs, cost]);
      const late = timeoutError(`rate limiter ${this.algorithm}`, this.timeoutMs);
      reply = (await withTimeout(call, this.timeoutMs, late)) as number[];
    } catch (error) {
      return decideWithoutRedis(this.onOutage, this.policy, id, cost, redactClientError(this.client, error));
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
}
