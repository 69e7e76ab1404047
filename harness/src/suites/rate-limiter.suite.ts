/**
 * The rate limiter on every target: exact admission under concurrency for each algorithm (and the naive
 * read-then-write pipeline over-admitting under the same load), independent ids, sliding windows, TTLs, unique log
 * members, weighted requests, peeking without consuming, and NOSCRIPT recovery. Outage policies need a server to
 * stop, so they are tested on a private server in harness/test/rate-limiter-outage.test.ts.
 */
import assert from 'node:assert/strict';
import { LuaScript, type RedisClient } from '@redis-agent-kit/patterns';
import { orThrow, sendBatch, withKeys } from '@redis-agent-kit/patterns/cluster';
import {
  createRateLimiter,
  RATE_LIMIT_ALGORITHMS,
  type RateLimitAlgorithm,
  type RateLimiterOptions,
  type RedisRateLimiter,
} from '@redis-agent-kit/patterns/ratelimit';
import { Cluster } from 'ioredis';
// Internals, by path: the scripts themselves (a test clock for the log, the peek scripts' read-only flag).
import { ALGORITHM_SCRIPTS } from '../../../packages/patterns/src/ratelimit/redis-limiter.ts';
import { SLIDING_WINDOW_LOG } from '../../../packages/patterns/src/ratelimit/sliding-window-log.ts';
import { defineSuite, type SuiteContext } from '../matrix/suite.ts';

/** Long enough that nothing leaves the window (GCRA: no unit is re-emitted) while a check runs. */
const LONG_WINDOW_MS = 10 * 60_000;
const REQUESTS = 1000;
const CONNECTIONS = 20;
const LIMIT = 100;

/**
 * The sliding window most tutorials show: a pipeline without MULTI, so other clients' commands run
 * between its count and its add, and a member that is the timestamp, so requests in the same millisecond
 * collapse into one member. Kept here as the anti-example the tests and the benchmark measure against.
 */
export async function naiveSlidingWindow(
  client: RedisClient,
  key: string,
  limit: number,
  windowSeconds: number,
): Promise<boolean> {
  const now = Date.now() / 1000;
  const replies = await client
    .pipeline()
    .zremrangebyscore(key, 0, now - windowSeconds)
    .zcard(key)
    .zadd(key, now, String(now))
    .expire(key, windowSeconds)
    .exec();
  const current = replies?.[1]?.[1] as number;
  return current < limit;
}

function limiterFor(
  ctx: SuiteContext,
  algorithm: RateLimitAlgorithm,
  options: Partial<RateLimiterOptions> = {},
): RedisRateLimiter {
  return createRateLimiter(ctx.client, {
    algorithm,
    limit: LIMIT,
    windowMs: LONG_WINDOW_MS,
    prefix: `${ctx.prefix}:${algorithm}`,
    onOutage: 'fail-closed',
    timeoutMs: 5000,
    ...options,
  });
}

/**
 * Fires `REQUESTS` decisions at once, spread over `CONNECTIONS` clients, and counts the allowed ones.
 * `deciderFor` makes one decision function per client.
 */
async function admittedUnderLoad(
  ctx: SuiteContext,
  deciderFor: (client: RedisClient) => () => Promise<boolean>,
): Promise<number> {
  const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => ctx.connect()));
  const deciders = clients.map(deciderFor);
  const decisions = await Promise.all(
    Array.from({ length: REQUESTS }, (_, i) => (deciders[i % CONNECTIONS] as () => Promise<boolean>)()),
  );
  return decisions.filter(Boolean).length;
}

/** The nodes that hold scripts: every master of a cluster, or the one server. */
function scriptNodes(client: RedisClient): RedisClient[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

async function scriptCached(client: RedisClient, sha: string): Promise<boolean> {
  const replies = await Promise.all(scriptNodes(client).map((node) => node.script('EXISTS', sha) as Promise<number[]>));
  return replies.some(([exists]) => exists === 1);
}

/**
 * The most admissions whose server times fall within one span shorter than `windowMs`. Decision times come from
 * the decisions (resetAt - resetMs, whole ms of the server clock): two admissions a window apart by the server's
 * microseconds are at least `windowMs` apart in whole ms too, so the log's count here is exact.
 */
function mostWithinOneWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; last < sorted.length; last++) {
    while ((sorted[last] as number) - (sorted[first] as number) >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

function exactAdmission(algorithm: RateLimitAlgorithm) {
  return {
    name: `${algorithm}: ${REQUESTS} concurrent requests over ${CONNECTIONS} connections admit exactly ${LIMIT}`,
    async run(ctx: SuiteContext) {
      const shared = limiterFor(ctx, algorithm);
      const admitted = await admittedUnderLoad(ctx, (client) => {
        const limiter = limiterFor({ ...ctx, client }, algorithm);
        return async () => {
          const result = await limiter.limit('one-key');
          // A timeout on a loaded machine would be a fail-closed denial: report it, not a wrong count.
          if (result.source !== 'redis') throw result.error ?? new Error(`decided by ${result.source}`);
          return result.allowed;
        };
      });
      assert.equal(admitted, LIMIT, `${algorithm} admitted ${admitted} of ${REQUESTS} with limit ${LIMIT}`);
      const after = await shared.limit('one-key');
      assert.equal(after.allowed, false);
      assert.equal(after.remaining, 0);
      await ctx.client.unlink(shared.keyFor('one-key'));
    },
  };
}

export default defineSuite({
  id: 'rate-limiter',
  title: 'Atomic Lua rate limiter: sliding-window log, sliding-window counter, GCRA',
  checks: [
    ...RATE_LIMIT_ALGORITHMS.map(exactAdmission),
    {
      name: 'a naive pipeline (ZREMRANGEBYSCORE, ZCARD, ZADD, EXPIRE without MULTI) over-admits under the same load',
      async run(ctx) {
        const key = `${ctx.prefix}:naive:{one-key}`;
        const admitted = await admittedUnderLoad(ctx, (client) => () => naiveSlidingWindow(client, key, LIMIT, 600));
        assert.ok(admitted > LIMIT, `the naive pipeline admitted ${admitted}, expected more than ${LIMIT}`);
        ctx.note(`naive pipeline admitted ${admitted} of ${REQUESTS} (limit ${LIMIT})`);
        await ctx.client.unlink(key);
      },
    },
    {
      name: 'distinct ids are independent',
      async run(ctx) {
        for (const algorithm of RATE_LIMIT_ALGORITHMS) {
          const limiter = limiterFor(ctx, algorithm, { limit: 3 });
          for (let i = 0; i < 3; i++) assert.equal((await limiter.limit('a')).allowed, true);
          assert.equal((await limiter.limit('a')).allowed, false, `${algorithm}: a is exhausted`);
          const b = await limiter.limit('b');
          assert.equal(b.allowed, true, `${algorithm}: b is not affected by a`);
          assert.equal(b.remaining, 2);
          // One UNLINK per key: on a cluster two ids are two slots.
          for (const id of ['a', 'b']) await ctx.client.unlink(limiter.keyFor(id));
        }
      },
    },
    {
      name: 'the window slides: a denied request is allowed once its retry-after has passed',
      async run(ctx) {
        for (const algorithm of RATE_LIMIT_ALGORITHMS) {
          const windowMs = 200;
          const limiter = limiterFor(ctx, algorithm, { limit: 2, windowMs });
          for (let i = 0; i < 2; i++) assert.equal((await limiter.limit('slide')).allowed, true);
          const denied = await limiter.limit('slide');
          assert.equal(denied.allowed, false);
          // The counter may need the rest of this window and part of the next one.
          assert.ok(
            denied.retryAfterMs > 0 && denied.retryAfterMs <= 2 * windowMs,
            `${algorithm}: retry after ${denied.retryAfterMs} ms`,
          );
          assert.ok(denied.resetMs >= denied.retryAfterMs, `${algorithm}: reset ${denied.resetMs} ms`);
          // Node's timers may fire up to a millisecond early; the server's clock decides.
          await new Promise((resolve) => setTimeout(resolve, denied.retryAfterMs + 5));
          const again = await limiter.limit('slide');
          assert.equal(again.allowed, true, `${algorithm}: allowed after ${denied.retryAfterMs} ms`);
          await ctx.client.unlink(limiter.keyFor('slide'));
        }
      },
    },
    {
      name: 'within any span of one window the log admits at most the limit; the counter and GCRA up to twice it',
      async run(ctx) {
        // The adversary of the approximations: a full burst just before a boundary of the counter's fixed
        // windows, then a request every 10 ms for 1.5 windows. All three algorithms at once, on their own keys.
        const windowMs = 500;
        const limit = 10;
        const [seconds, micros] = await ctx.client.time();
        const serverMs = Number(seconds) * 1000 + Number(micros) / 1000;
        const untilBurst = (2 * windowMs - (serverMs % windowMs) - 50) % windowMs;
        await new Promise((resolve) => setTimeout(resolve, untilBurst));
        const most = await Promise.all(
          RATE_LIMIT_ALGORITHMS.map(async (algorithm) => {
            const limiter = limiterFor(ctx, algorithm, { limit, windowMs });
            const admittedAt: number[] = [];
            const decide = async () => {
              const d = await limiter.limit('span');
              if (d.source !== 'redis') throw d.error ?? new Error(`decided by ${d.source}`);
              if (d.allowed) admittedAt.push(d.resetAt - d.resetMs);
            };
            await Promise.all(Array.from({ length: limit }, decide));
            const until = performance.now() + 1.5 * windowMs;
            while (performance.now() < until) {
              await decide();
              await new Promise((resolve) => setTimeout(resolve, 10));
            }
            await ctx.client.unlink(limiter.keyFor('span'));
            return [algorithm, mostWithinOneWindow(admittedAt, windowMs)] as const;
          }),
        );
        for (const [algorithm, admitted] of most) {
          assert.ok(
            admitted <= (algorithm === 'sliding-window-log' ? limit : 2 * limit),
            `${algorithm}: ${admitted} admitted within one window, limit ${limit}`,
          );
        }
        ctx.note(
          `most admitted within one ${windowMs} ms window, limit ${limit}: ${most.map(([a, n]) => `${a} ${n}`).join(', ')}`,
        );
      },
    },
    {
      name: 'every key has a TTL no longer than its algorithm needs',
      async run(ctx) {
        for (const algorithm of RATE_LIMIT_ALGORITHMS) {
          const limiter = limiterFor(ctx, algorithm, { windowMs: 60_000 });
          await limiter.limit('ttl', 5);
          const ttl = await ctx.client.pttl(limiter.keyFor('ttl'));
          const longest = algorithm === 'sliding-window-counter' ? 120_000 : 60_000;
          assert.ok(ttl > 0 && ttl <= longest, `${algorithm}: PTTL ${ttl}`);
          await ctx.client.unlink(limiter.keyFor('ttl'));
        }
      },
    },
    {
      name: 'sliding-window log: units at one timestamp, colliding timestamps and a clock step back stay distinct',
      async run(ctx) {
        const key = `${ctx.prefix}:log:{members}`;
        // The script's optional fourth argument stands in for the server clock, so timestamps collide for sure.
        const at = async (micros: number, cost: number) =>
          (await SLIDING_WINDOW_LOG.decide.run(ctx.client, [key], [100, 60_000, cost, micros])) as number[];
        const t = 1_800_000_000_000_000;
        await at(t, 3); // three units of one request: t, t+1, t+2
        await at(t, 1); // the same microsecond again: placed after the newest, t+3
        await at(t + 1, 2); // collides with t+1: t+4, t+5
        await at(t - 5_000_000, 1); // the clock stepped back 5 s: recorded as such (it leaves the window earlier)
        await at(t - 5_000_000, 1); // ... and again in that microsecond: moved after the newest, t+6
        const [allowed, remaining] = await at(t + 10, 1); // no collision: t+10 itself
        assert.deepEqual([allowed, remaining], [1, 91]);
        const scored = await ctx.client.zrange(key, '0', '-1', 'WITHSCORES');
        const members = scored.filter((_, i) => i % 2 === 0);
        assert.deepEqual(
          members.map((m) => Number(m) - t),
          [-5_000_000, 0, 1, 2, 3, 4, 5, 6, 10],
        );
        assert.ok(
          members.every((member, i) => member === scored[2 * i + 1]),
          'each member is its own score, written in full',
        );
        await ctx.client.unlink(key);
      },
    },
    {
      name: 'weighted requests consume their cost; a denied one consumes nothing',
      async run(ctx) {
        for (const algorithm of RATE_LIMIT_ALGORITHMS) {
          const limiter = limiterFor(ctx, algorithm, { limit: 10 });
          const remaining: number[] = [];
          for (const cost of [4, 4]) {
            const result = await limiter.limit('cost', cost);
            assert.equal(result.allowed, true, `${algorithm}: cost ${cost}`);
            remaining.push(result.remaining);
          }
          const denied = await limiter.limit('cost', 4);
          assert.equal(denied.allowed, false, `${algorithm}: 4 more do not fit in 2`);
          assert.equal(denied.remaining, 2);
          const last = await limiter.limit('cost', 2);
          assert.equal(last.allowed, true, `${algorithm}: 2 fit`);
          assert.deepEqual([...remaining, last.remaining], [6, 2, 0], algorithm);
          await assert.rejects(limiter.limit('cost', 11), RangeError);
          await ctx.client.unlink(limiter.keyFor('cost'));
        }
      },
    },
    {
      name: 'peek reads the state without consuming or writing anything',
      async run(ctx) {
        for (const algorithm of RATE_LIMIT_ALGORITHMS) {
          const windowMs = 60_000;
          const limiter = limiterFor(ctx, algorithm, { limit: 10, windowMs });
          const key = limiter.keyFor('peek');
          assert.deepEqual(
            { ...(await limiter.peek('peek')), resetAt: 0 },
            { limit: 10, remaining: 10, resetMs: 0, resetAt: 0, retryAfterMs: 0 },
            `${algorithm}: an id never seen has its whole quota`,
          );
          assert.equal(await ctx.client.exists(key), 0, `${algorithm}: peek created no key`);
          const decided = await limiter.limit('peek', 4);
          const state = await ctx.client.dumpBuffer(key);
          for (let i = 0; i < 3; i++) {
            const peeked = await limiter.peek('peek');
            assert.equal(peeked.remaining, 6, `${algorithm}: peek ${i} consumed nothing`);
            assert.equal(peeked.retryAfterMs, 0);
            assert.ok(peeked.resetMs > 0 && peeked.resetMs <= 2 * windowMs, `${algorithm}: reset ${peeked.resetMs} ms`);
            assert.ok(peeked.resetAt >= decided.resetAt - decided.resetMs, `${algorithm}: resetAt by the server clock`);
          }
          assert.deepEqual(await ctx.client.dumpBuffer(key), state, `${algorithm}: peek left the key as it was`);
          assert.equal((await limiter.limit('peek', 6)).remaining, 0);
          const exhausted = await limiter.peek('peek');
          assert.equal(exhausted.remaining, 0, algorithm);
          assert.ok(
            exhausted.retryAfterMs > 0 && exhausted.retryAfterMs <= 2 * windowMs,
            `${algorithm}: one unit in ${exhausted.retryAfterMs} ms`,
          );
          assert.equal((await limiter.limit('peek')).allowed, false, `${algorithm}: still exhausted after peeking`);
          await ctx.client.unlink(key);
        }
      },
    },
    {
      name: 'peek scripts run read-only (EVAL_RO, as a replica could serve them); the deciding scripts do not',
      async run(ctx) {
        for (const algorithm of RATE_LIMIT_ALGORITHMS) {
          const limiter = limiterFor(ctx, algorithm, { limit: 10 });
          await limiter.limit('ro', 10);
          const evalRo = (source: string, id: string) =>
            sendBatch(ctx.client, [withKeys('EVAL_RO', [source, 1, limiter.keyFor(id), 10, LONG_WINDOW_MS, 1], [2])]);
          const { decide, peek } = ALGORITHM_SCRIPTS[algorithm];
          const [[remaining, resetMs, retryAfterMs]] = orThrow(await evalRo(peek.source, 'ro')) as [
            [number, number, number],
          ];
          assert.equal(remaining, 0, algorithm);
          assert.ok(resetMs > 0 && retryAfterMs > 0, `${algorithm}: reset ${resetMs} ms, retry ${retryAfterMs} ms`);
          // An id with room: the decision would write.
          const [refused] = await evalRo(decide.source, 'ro-fresh');
          assert.ok(refused instanceof Error, `${algorithm}: EVAL_RO ran a script that writes`);
          assert.equal(await ctx.client.exists(limiter.keyFor('ro-fresh')), 0);
          await ctx.client.unlink(limiter.keyFor('ro'));
        }
      },
    },
    {
      name: 'NOSCRIPT: a script missing from the server cache is sent once with EVAL, then called by SHA',
      async run(ctx) {
        // A script no node has seen (a unique comment changes its SHA) is what a restart or failover leaves;
        // flushing the shared servers' cache would disturb the other suites. The limiter calls its scripts
        // through LuaScript#run, exercised here directly.
        const fresh = new LuaScript(`${SLIDING_WINDOW_LOG.decide.source}-- ${ctx.prefix}\n`);
        const key = `${ctx.prefix}:noscript:{id}`;
        const decide = async () => (await fresh.run(ctx.client, [key], [5, 60_000, 1])) as number[];
        assert.equal(await scriptCached(ctx.client, fresh.sha), false);
        assert.deepEqual((await decide()).slice(0, 2), [1, 4]);
        assert.equal(await scriptCached(ctx.client, fresh.sha), true);
        assert.deepEqual((await decide()).slice(0, 2), [1, 3]);
        await ctx.client.unlink(key);
      },
    },
  ],
});
