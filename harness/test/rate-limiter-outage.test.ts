/**
 * Each outage policy against a private server that is frozen (SIGSTOP) or stopped and then comes back; the
 * shared targets are never disturbed. A restart also empties the script cache, so the first decision after
 * it goes through the NOSCRIPT recovery.
 */
import { closeClient, connect, type RedisClient } from '@redis-agent-kit/patterns';
import {
  createRateLimiter,
  InMemoryRateLimiter,
  type OutagePolicy,
  type RateLimiter,
  RateLimiterTimeoutError,
} from '@redis-agent-kit/patterns/ratelimit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLIDING_WINDOW_LOG } from '../../packages/patterns/src/ratelimit/sliding-window-log.ts';
import { LocalServer } from '../src/targets/local-server.ts';

let server: LocalServer;
let client: RedisClient;

beforeAll(async () => {
  server = await LocalServer.start({ kind: 'redis' });
  // As outage.ts advises: no offline queue, so decisions made while disconnected are not replayed later.
  client = await connect({ url: server.url, offlineQueue: false });
});

afterAll(async () => {
  await closeClient(client);
  await server.stop();
});

function limiterWith(onOutage: OutagePolicy, prefix: string) {
  return createRateLimiter(client, {
    algorithm: 'sliding-window-log',
    limit: 5,
    windowMs: 60_000,
    prefix: `rak:rate-limiter-outage:${prefix}`,
    timeoutMs: 1000,
    onOutage,
  });
}

/** Polls until Redis decides again (the client reconnects with a backoff of up to 2 s). */
async function untilRedisDecides(limiter: RateLimiter, id: string) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const result = await limiter.limit(id);
    if (result.source === 'redis') return result;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('Redis did not decide again within 10 s of coming back');
}

/** Stops the server and waits until the client has seen the connection close. */
async function stopServer() {
  await server.halt();
  while (client.status === 'ready') await new Promise((resolve) => setTimeout(resolve, 10));
}

async function scriptCached(sha: string): Promise<boolean> {
  const probe = await connect({ url: server.url });
  try {
    const [exists] = (await probe.script('EXISTS', sha)) as number[];
    return exists === 1;
  } finally {
    await closeClient(probe);
  }
}

describe('rate limiter outage policies (private server)', () => {
  it('fail-closed: a frozen server (SIGSTOP) denies within the timeout, peek rejects; Redis decides again after SIGCONT', async () => {
    const limiter = limiterWith('fail-closed', 'closed');
    expect((await limiter.limit('id')).source).toBe('redis');
    server.pause();
    try {
      const denied = await limiter.limit('id');
      expect(denied).toMatchObject({ allowed: false, source: 'fail-closed' });
      expect(denied.error).toBeInstanceOf(Error);
      expect(denied.error?.name).toBe(RateLimiterTimeoutError.name);
      // A peek has no policy to guess with: it rejects after the same timeout.
      await expect(limiter.peek('id')).rejects.toThrow(RateLimiterTimeoutError);
    } finally {
      server.resume();
    }
    expect((await untilRedisDecides(limiter, 'id')).allowed).toBe(true);
  });

  it('fail-open: a stopped server allows, peek rejects; after the restart Redis decides again with an empty script cache', async () => {
    const limiter = limiterWith('fail-open', 'open');
    expect((await limiter.limit('id')).remaining).toBe(4);
    await stopServer();
    const allowed = await limiter.limit('id');
    expect(allowed).toMatchObject({ allowed: true, source: 'fail-open' });
    await expect(limiter.peek('id')).rejects.toThrow();
    await server.restart();
    expect(await scriptCached(SLIDING_WINDOW_LOG.decide.sha)).toBe(false);
    const back = await untilRedisDecides(limiter, 'id');
    // The restarted server has no data (no persistence), and without an offline queue the request decided
    // while it was down was not replayed on reconnection: the quota starts over.
    expect(back).toMatchObject({ allowed: true, remaining: 4 });
    expect(await scriptCached(SLIDING_WINDOW_LOG.decide.sha)).toBe(true);
  });

  it('fallback: a stopped server hands decisions to the in-process limiter, which still limits', async () => {
    const fallback = new InMemoryRateLimiter({ limit: 2, windowMs: 60_000 });
    const limiter = limiterWith({ fallback }, 'fallback');
    expect((await limiter.limit('id')).source).toBe('redis');
    await stopServer();
    const decisions = [];
    for (let i = 0; i < 3; i++) decisions.push(await limiter.limit('id'));
    expect(decisions.map((d) => [d.allowed, d.source])).toEqual([
      [true, 'fallback'],
      [true, 'fallback'],
      [false, 'fallback'],
    ]);
    await server.restart();
    expect((await untilRedisDecides(limiter, 'id')).allowed).toBe(true);
  });
});
