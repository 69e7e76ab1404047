/**
 * The Redis rate limiter: one key per limited id, the algorithm's Lua scripts on it (algorithm.ts), a bounded wait,
 * and the caller's outage policy. Built by `createRateLimiter(client, options)`, which derives the scripts from
 * `options.algorithm`, so an algorithm and its script cannot disagree.
 *
 * A decision Redis made is never made again by the outage policy: a deadline expires only when Redis's reply has
 * not reached the process one loop turn after it came due (timeout.ts), a NOSCRIPT retry gets a deadline of its
 * own, and a reply that comes after the policy decided is reconciled (`OutageStats`) and its denial passed on to
 * the fallback. The commands of one event-loop turn are written together (../write-coalescing.ts).
 */
import { type RedisClient, redactClientError } from '../connection.ts';
import type { LuaScript } from '../lua-script.ts';
import { DeadlineQueue, type Wait } from '../timeout.ts';
import { type AlgorithmScripts, type RateLimitAlgorithm, RATE_LIMIT_ALGORITHMS } from './algorithm.ts';
import { GCRA } from './gcra.ts';
import {
  decideWithoutRedis,
  type FollowsRedisDenials,
  followsRedisDenials,
  type OutagePolicy,
  outageError,
  type RateLimiterTimeoutError,
  timeoutError,
} from './outage.ts';
import { SLIDING_WINDOW_COUNTER } from './sliding-window-counter.ts';
import { SLIDING_WINDOW_LOG } from './sliding-window-log.ts';
import { WriteCoalescer } from '../write-coalescing.ts';
import {
  type RateLimiter,
  type RateLimitPolicy,
  type RateLimitResult,
  type RateLimitState,
  costProblem,
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
   * Keys are `<prefix>:{<id>}`; default `ratelimit:<algorithm>`. Give each policy (route, plan) and each
   * algorithm its own prefix: two windows must not share keys, and another algorithm's key holds another type
   * (Redis answers WRONGTYPE; the outage policy decides, and the decision's error is a RateLimiterKeyError).
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

/**
 * What the outage policy decided, and how that squares with what Redis did once its late replies came. Redis
 * admits at most the limit, and counts every request whose script ran, late ones included; so over any span of
 * time, the units admitted in total are exactly
 *   (units Redis counted) - countedDenials + uncountedAdmissions,
 * and what the outage policy adds to the limit is `uncountedAdmissions`, at most what the fallbacks admit on
 * their own (0 for fail-closed, whatever fail-open allows). Without a timeout or a failure it stays 0: Redis
 * alone decided, exactly.
 */
export interface OutageStats {
  /** Decisions the outage policy made (Redis failed, refused, or did not answer in time). */
  decisions: number;
  /** Of those, the requests whose command had no reply when the deadline passed (the command was sent). */
  timedOut: number;
  /** Timed-out commands whose reply has not come yet: Redis may still run them. */
  awaitingReplies: number;
  /** Replies that came after their request was decided by the policy. */
  lateReplies: number;
  /**
   * Units the policy admitted that Redis did not count: a late reply denied them, or the command failed or never
   * came back (counted here, since the client cannot tell whether Redis ran it).
   */
  uncountedAdmissions: number;
  /** Units Redis counted (in a late reply) for requests the policy had denied: quota the outage cost the id. */
  countedDenials: number;
}

/** Built by `createRateLimiter(client, options)`; exported as a type only. */
export class RedisRateLimiter implements RateLimiter {
  readonly algorithm: RateLimitAlgorithm;
  readonly policy: RateLimitPolicy;
  readonly prefix: string;
  readonly timeoutMs: number;
  readonly #client: RedisClient;
  readonly #scripts: AlgorithmScripts;
  readonly #onOutage: OutagePolicy;
  /** The fallback, when it follows Redis's denials (InMemoryRateLimiter does). */
  readonly #follower: FollowsRedisDenials | undefined;
  readonly #deadlines: DeadlineQueue;
  readonly #writes: WriteCoalescer;
  readonly #timeoutError: () => RateLimiterTimeoutError;
  readonly #stats: OutageStats = {
    decisions: 0,
    timedOut: 0,
    awaitingReplies: 0,
    lateReplies: 0,
    uncountedAdmissions: 0,
    countedDenials: 0,
  };

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
    this.#follower = typeof options.onOutage === 'object' ? followsRedisDenials(options.onOutage.fallback) : undefined;
    this.#deadlines = new DeadlineQueue(timeoutMs);
    this.#writes = new WriteCoalescer(client);
    this.#timeoutError = timeoutError(`rate limiter ${this.algorithm}`, timeoutMs);
  }

  /** The Redis key of an id; the id is the hash tag, so related keys a caller adds can share its slot. */
  keyFor(id: string): string {
    return `${this.prefix}:{${id}}`;
  }

  /** A snapshot of the outage accounting (see `OutageStats`). */
  get outageStats(): OutageStats {
    return { ...this.#stats };
  }

  /**
   * Decides one request for `id`, consuming `cost` units when allowed; the outage policy decides when Redis
   * cannot. Rejects only for a cost that is not a whole number from 1 to the limit (RangeError).
   */
  limit(id: string, cost = 1): Promise<RateLimitResult> {
    const problem = costProblem(cost, this.policy);
    if (problem) return Promise.reject(new RangeError(problem));
    return new Promise<RateLimitResult>((resolve) => {
      let byPolicy: Promise<RateLimitResult> | undefined;
      this.#run(
        this.#scripts.decide,
        id,
        cost,
        () => {
          this.#stats.timedOut++;
          this.#stats.awaitingReplies++;
          byPolicy = this.#decideWithoutRedis(id, cost, this.#timeoutError());
          resolve(byPolicy);
        },
        (reply, inTime) => {
          const decision = this.#decision(reply as number[]);
          if (!inTime) {
            this.#reconcile(id, cost, byPolicy as Promise<RateLimitResult>, decision);
            return;
          }
          if (!decision.allowed) this.#follower?.denyFor(id, cost, decision.retryAfterMs);
          resolve(decision);
        },
        (error, inTime) => {
          if (inTime) resolve(this.#decideWithoutRedis(id, cost, this.#outageError(id, error)));
          else this.#reconcile(id, cost, byPolicy as Promise<RateLimitResult>, undefined);
        },
      );
    });
  }

  /**
   * The state of `id` without consuming anything: one read-only script, atomic like `limit`. No outage policy
   * guesses a state: when Redis fails or does not answer within `timeoutMs`, it rejects with the (redacted) error.
   */
  peek(id: string): Promise<RateLimitState> {
    return new Promise<RateLimitState>((resolve, reject) => {
      this.#run(
        this.#scripts.peek,
        id,
        1,
        () => reject(this.#timeoutError()),
        (reply, inTime) => {
          if (!inTime) return;
          const [remaining, resetMs, retryAfterMs, nowMs] = reply as [number, number, number, number];
          resolve({ limit: this.policy.limit, remaining, resetMs, resetAt: nowMs + resetMs, retryAfterMs });
        },
        (error, inTime) => {
          if (inTime) reject(this.#outageError(id, error));
        },
      );
    });
  }

  /**
   * Runs `script` on `id`'s key by SHA, each round trip under a deadline (timeout.ts) that starts when the command
   * is written (at the end of this turn, with the turn's other commands: ../write-coalescing.ts). `expired` runs when a
   * deadline passes without an answer; then `answered`/`failed` say whether the answer came in time. A NOSCRIPT
   * answer (a restarted or failed-over node has an empty script cache) is an answer in time: the source follows
   * with EVAL, a second round trip with a deadline of its own, so a burst that meets an empty cache is not
   * handed to the outage policy for the extra round trip.
   */
  #run(
    script: LuaScript,
    id: string,
    cost: number,
    expired: () => void,
    answered: (reply: unknown, inTime: boolean) => void,
    failed: (error: unknown, inTime: boolean) => void,
  ): void {
    const client = this.#client;
    const key = this.keyFor(id);
    const { limit, windowMs } = this.policy;
    const attempt = (wait: Wait, sent: Promise<unknown>, bySha: boolean): void => {
      sent.then(
        (reply) => answered(reply, wait.settle()),
        (error: unknown) => {
          if (bySha && isNoScript(error) && wait.settle()) {
            this.#writes.add(() =>
              attempt(this.#deadlines.start(expired), client.eval(script.source, 1, key, limit, windowMs, cost), false),
            );
          } else {
            failed(error, wait.settle());
          }
        },
      );
    };
    this.#writes.add(() =>
      attempt(this.#deadlines.start(expired), client.evalsha(script.sha, 1, key, limit, windowMs, cost), true),
    );
  }

  #decision(reply: number[]): RateLimitResult {
    const [allowed, remaining, resetMs, retryAfterMs, nowMs] = reply as [number, number, number, number, number];
    return {
      allowed: allowed === 1,
      limit: this.policy.limit,
      windowMs: this.policy.windowMs,
      remaining,
      resetMs,
      resetAt: nowMs + resetMs,
      retryAfterMs,
      source: 'redis',
    };
  }

  #outageError(id: string, error: unknown): Error {
    return outageError(redactClientError(this.#client, error), this.keyFor(id), this.algorithm);
  }

  #decideWithoutRedis(id: string, cost: number, error: Error): Promise<RateLimitResult> {
    this.#stats.decisions++;
    return decideWithoutRedis(this.#onOutage, this.policy, id, cost, error).then((decision) => {
      // Provisionally: a late reply that admitted the same request moves it to counted (#reconcile).
      if (decision.allowed) this.#stats.uncountedAdmissions += cost;
      return decision;
    });
  }

  /** A reply (or failure) for a request the policy already decided: square the accounting, follow a denial. */
  #reconcile(id: string, cost: number, byPolicy: Promise<RateLimitResult>, late: RateLimitResult | undefined): void {
    this.#stats.awaitingReplies--;
    void byPolicy.then((own) => {
      // No reply: Redis never ran it, or the client cannot tell; the admission stays uncounted.
      if (!late) return;
      this.#stats.lateReplies++;
      if (!late.allowed) {
        this.#follower?.denyFor(id, cost, late.retryAfterMs);
      } else if (own.allowed) {
        this.#stats.uncountedAdmissions -= cost;
      } else {
        this.#stats.countedDenials += cost;
      }
    });
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/** A rate limiter on Redis running `options.algorithm`. Throws a RangeError for an invalid policy or algorithm. */
export function createRateLimiter(client: RedisClient, options: RateLimiterOptions): RedisRateLimiter {
  return new RedisRateLimiter(client, options);
}
