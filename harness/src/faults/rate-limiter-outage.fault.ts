/**
 * The rate limiter (packages/patterns/src/ratelimit) while its Redis is frozen, then stopped and started again,
 * once per outage policy, each on its own algorithm. Whenever Redis cannot answer, every decision follows the policy
 * (fail-open allows, fail-closed denies with a short Retry-After, the in-process fallback still limits): after the
 * limiter's timeout while the server is frozen, at once while it is stopped, since the client has no offline queue
 * (as outage.ts advises, so nothing decided then is replayed later). The restarted server has an empty script
 * cache, so the first decisions after it take the NOSCRIPT path, and a burst of concurrent requests for a fresh id
 * is still admitted exactly up to the limit.
 */
import assert from 'node:assert/strict';
import type { RedisClient } from '@redis-agent-kit/patterns';
import {
  createRateLimiter,
  InMemoryRateLimiter,
  type OutagePolicy,
  type RateLimitAlgorithm,
  type RateLimiter,
  type RateLimitResult,
  type RedisRateLimiter,
} from '@redis-agent-kit/patterns/ratelimit';
import { ALGORITHM_SCRIPTS } from '../../../packages/patterns/src/ratelimit/redis-limiter.ts';
import { msUntilSucceeds, settleWithin } from './measure.ts';
import { defineFaultScenario } from './scenario.ts';

const LIMIT = 100;
/** Long, so no unit comes back during a burst (GCRA frees one every window / limit). */
const WINDOW_MS = 600_000;
const TIMEOUT_MS = 500;
/** A decision while the server is frozen or stopped: the limiter's timeout plus room for a busy machine. */
const DECISION_BOUND_MS = TIMEOUT_MS + 1000;
const REQUESTS_WHILE_DOWN = 10;
const FALLBACK_LIMIT = 3;
const BURST = 300;

interface Lane {
  name: string;
  algorithm: RateLimitAlgorithm;
  onOutage: OutagePolicy;
  /** What the policy must decide for the requests sent while the server is down, in order. */
  expectedWhileDown: boolean[];
}

const LANES: Lane[] = [
  {
    name: 'fail-open',
    algorithm: 'gcra',
    onOutage: 'fail-open',
    expectedWhileDown: Array(REQUESTS_WHILE_DOWN).fill(true),
  },
  {
    name: 'fail-closed',
    algorithm: 'sliding-window-log',
    onOutage: 'fail-closed',
    expectedWhileDown: Array(REQUESTS_WHILE_DOWN).fill(false),
  },
  {
    name: 'fallback',
    algorithm: 'sliding-window-counter',
    onOutage: { fallback: new InMemoryRateLimiter({ limit: FALLBACK_LIMIT, windowMs: WINDOW_MS }) },
    expectedWhileDown: Array.from({ length: REQUESTS_WHILE_DOWN }, (_, i) => i < FALLBACK_LIMIT),
  },
];

const count = <T>(items: T[], of: (item: T) => number) => items.reduce((sum, item) => sum + of(item), 0);

async function scriptsCached(client: RedisClient, limiters: RedisRateLimiter[]): Promise<number> {
  const shas = limiters.map((l) => ALGORITHM_SCRIPTS[l.algorithm].decide.sha);
  const exists = (await client.script('EXISTS', ...shas)) as number[];
  return count(exists, (n) => n);
}

/** What the requests of one lane sent while Redis cannot answer came to. */
interface Outcome {
  decisions: RateLimitResult[];
  rejected: string[];
  slowestMs: number;
}

/** Sends `count` requests for `id` one after another (so the fallback's admissions have an order to check). */
async function decide(lane: Lane, limiter: RateLimiter, id: string, count: number): Promise<Outcome> {
  const outcome: Outcome = { decisions: [], rejected: [], slowestMs: 0 };
  for (let n = 0; n < count; n++) {
    const decided = await settleWithin(limiter.limit(id), DECISION_BOUND_MS, `${lane.name} decision`);
    outcome.slowestMs = Math.max(outcome.slowestMs, decided.ms);
    if (decided.ok) outcome.decisions.push(decided.value);
    else outcome.rejected.push(`${lane.name}: ${decided.error.message}`);
  }
  return outcome;
}

/** Throws unless every request was decided by the lane's outage policy, as the policy says. */
function assertPolicyDecided(lane: Lane, { decisions, rejected }: Outcome): void {
  assert.deepEqual(rejected, [], 'limit() never rejects while Redis cannot answer: the policy decides');
  const source = typeof lane.onOutage === 'object' ? 'fallback' : lane.onOutage;
  assert.deepEqual(
    decisions.map((d) => d.allowed),
    lane.expectedWhileDown.slice(0, decisions.length),
    `${lane.name}: decisions follow the policy`,
  );
  for (const d of decisions) {
    assert.equal(d.source, source, `${lane.name}: the decision says the outage policy made it`);
    assert.ok(d.error instanceof Error, `${lane.name}: the decision carries the Redis error`);
    if (!d.allowed) assert.ok(d.retryAfterMs > 0, `${lane.name}: a denial says when to retry`);
  }
}

export default defineFaultScenario({
  id: 'rate-limiter-outage',
  workflow: 'rate-limiter',
  fault: 'restart',
  title: 'Rate limiter follows its outage policy while Redis restarts',
  async run({ startServer, connect, prefix, note }) {
    const server = await startServer();
    const client = await connect(server, { offlineQueue: false });
    const limiters = LANES.map((lane) =>
      createRateLimiter(client, {
        algorithm: lane.algorithm,
        limit: LIMIT,
        windowMs: WINDOW_MS,
        prefix: `${prefix}:${lane.name}`,
        timeoutMs: TIMEOUT_MS,
        onOutage: lane.onOutage,
      }),
    );
    for (const limiter of limiters) assert.equal((await limiter.limit('warm')).source, 'redis');
    assert.equal(await scriptsCached(client, limiters), LANES.length, 'every script is cached before the fault');

    // Frozen (SIGSTOP): each limiter's own timeout hands the decision to the policy.
    server.pause();
    let frozen: Outcome[];
    try {
      frozen = await Promise.all(LANES.map((lane, i) => decide(lane, limiters[i] as RateLimiter, 'user-frozen', 1)));
    } finally {
      server.resume();
    }
    // The scripts sent to the frozen server still run once it thaws; wait for their replies (a PING is answered
    // after them) before stopping it. Commands still unanswered when a connection drops are re-sent by ioredis
    // after it reconnects, even without an offline queue: they would run on the restarted server and take quota
    // there for requests the policy already decided.
    await client.ping();
    for (const [i, lane] of LANES.entries()) assertPolicyDecided(lane, frozen[i] as Outcome);
    note(`while frozen, each policy decided after: ${frozen[0]?.decisions[0]?.error?.message}`);

    // Stopped: without an offline queue the client fails at once, and the policy decides without waiting.
    await server.halt();
    while (client.status === 'ready') await new Promise((r) => setTimeout(r, 10));
    const stopped: Outcome[] = [];
    for (const [i, lane] of LANES.entries()) {
      stopped.push(await decide(lane, limiters[i] as RateLimiter, 'user-stopped', REQUESTS_WHILE_DOWN));
      assertPolicyDecided(lane, stopped[i] as Outcome);
    }
    note(`while stopped, each policy decided after: ${stopped[0]?.decisions[0]?.error?.message}`);

    await server.restart();
    const recoverMs = await msUntilSucceeds(() => client.ping(), 10_000);
    assert.equal(await scriptsCached(client, limiters), 0, 'the restarted server has an empty script cache');
    const admitted: number[] = [];
    for (const [i, lane] of LANES.entries()) {
      const limiter = limiters[i] as RateLimiter;
      const burst = await Promise.all(Array.from({ length: BURST }, () => limiter.limit('fresh')));
      assert.ok(
        burst.every((d) => d.source === 'redis'),
        `${lane.name}: Redis decides again (NOSCRIPT → EVAL)`,
      );
      admitted.push(burst.filter((d) => d.allowed).length);
    }
    assert.deepEqual(
      admitted,
      LANES.map(() => LIMIT),
      `${BURST} concurrent requests for a fresh id admit exactly the limit (${LIMIT})`,
    );
    assert.equal(await scriptsCached(client, limiters), LANES.length, 'the scripts are cached again after NOSCRIPT');
    return {
      numbers: {
        decisionsWhileFrozen: count(frozen, (o) => o.decisions.length),
        slowestDecisionWhileFrozenMs: Math.round(Math.max(...frozen.map((o) => o.slowestMs))),
        decisionsWhileStopped: count(stopped, (o) => o.decisions.length),
        slowestDecisionWhileStoppedMs: Math.round(Math.max(...stopped.map((o) => o.slowestMs))),
        errors: count([...frozen, ...stopped], (o) => o.rejected.length),
        recoverMs: Math.round(recoverMs),
        requestsAfterRestart: BURST * LANES.length,
        admittedAfterRestart: count(admitted, (n) => n),
      },
    };
  },
});
