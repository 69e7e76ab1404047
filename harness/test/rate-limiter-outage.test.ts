/**
 * Each outage policy against a private server that is frozen (SIGSTOP) or stopped and then comes back; the
 * shared targets are never disturbed. A restart also empties the script cache, so the first decision after
 * it goes through the NOSCRIPT recovery. Then the deadlines under event-loop stalls of this process, and the
 * outage accounting of three limiters (three clients, as three app instances would be) across a freeze.
 */
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs';
import type { Socket } from 'node:net';
import { closeClient, connect, type RedisClient } from '@redis-agent-kit/patterns';
import {
  createRateLimiter,
  InMemoryRateLimiter,
  type OutagePolicy,
  type RateLimiter,
  type RateLimiterOptions,
  RateLimiterTimeoutError,
  type RateLimitResult,
} from '@redis-agent-kit/patterns/ratelimit';
import type { Redis } from 'ioredis';
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

function limiterWith(onOutage: OutagePolicy, prefix: string, options: Partial<RateLimiterOptions> = {}) {
  return createRateLimiter(client, {
    algorithm: 'sliding-window-log',
    limit: 5,
    windowMs: 60_000,
    prefix: `rak:rate-limiter-outage:${prefix}`,
    timeoutMs: 1000,
    onOutage,
    ...options,
  });
}

/** Blocks this process's event loop, as a long synchronous task (or a starved CPU) does. */
function stall(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}

/**
 * Runs `scenario` from an I/O callback, where a request handler runs: after it the loop runs due timers before
 * it reads sockets again. Its result is wrapped so that a promise in it is handed back, not awaited.
 */
function fromIoCallback<T>(scenario: () => T): Promise<[T]> {
  return new Promise((resolve) => stat(import.meta.filename, () => resolve([scenario()])));
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

describe('deadlines under event-loop stalls of the deciding process (private server)', () => {
  const BURST = 300;

  /** `BURST` decisions started together, then a stall longer than the deadline, as in a busy request handler. */
  async function burstThroughStall(prefix: string) {
    const limiter = limiterWith('fail-closed', `${prefix}-${randomBytes(4).toString('hex')}`, {
      limit: 100,
      timeoutMs: 200,
    });
    const [decisions] = await fromIoCallback(() => {
      const started = Promise.all(Array.from({ length: BURST }, () => limiter.limit('id')));
      stall(600);
      return started;
    });
    return { decisions: await decisions, limiter };
  }

  it('replies that arrived during the stall are the decisions, not timeouts', async () => {
    const { decisions, limiter } = await burstThroughStall('stall');
    expect(decisions.filter((d) => d.source !== 'redis').map((d) => d.error?.message)).toEqual([]);
    expect(decisions.filter((d) => d.allowed)).toHaveLength(100);
    expect(limiter.outageStats.timedOut).toBe(0);
  });

  it('after SCRIPT FLUSH, the EVAL that follows NOSCRIPT gets a deadline of its own', async () => {
    const probe = await connect({ url: server.url });
    try {
      await probe.script('FLUSH');
    } finally {
      await closeClient(probe);
    }
    const { decisions, limiter } = await burstThroughStall('noscript');
    expect(decisions.filter((d) => d.source !== 'redis').map((d) => d.error?.message)).toEqual([]);
    expect(decisions.filter((d) => d.allowed)).toHaveLength(100);
    expect(limiter.outageStats.timedOut).toBe(0);
  });
});

describe('writes', () => {
  it('the decisions of one turn reach the socket in one write, each with its deadline from that write', async () => {
    const limiter = limiterWith('fail-closed', `writes-${randomBytes(4).toString('hex')}`, { limit: 1000 });
    const stream = (client as Redis).stream as Socket & { _writev?: unknown; _write: unknown };
    const original = { writev: stream._writev, write: stream._write };
    let writes = 0;
    stream._writev = function (this: Socket, ...args: unknown[]) {
      writes++;
      return (original.writev as (...a: unknown[]) => unknown).apply(this, args);
    };
    stream._write = function (this: Socket, ...args: unknown[]) {
      writes++;
      return (original.write as (...a: unknown[]) => unknown).apply(this, args);
    };
    try {
      const decisions = await Promise.all(Array.from({ length: 100 }, () => limiter.limit('id')));
      expect(decisions.every((d) => d.source === 'redis' && d.allowed)).toBe(true);
      expect(writes).toBe(1);
    } finally {
      stream._writev = original.writev;
      stream._write = original.write;
    }
  });
});

describe('outage accounting across a freeze: three instances sharing a limit', () => {
  it("admits at most the limit plus the fallbacks' shares, and the total squares with what Redis counted", async () => {
    const LIMIT = 30;
    const INSTANCES = 3;
    const SHARE = LIMIT / INSTANCES;
    const prefix = `rak:rate-limiter-outage:accounting-${randomBytes(4).toString('hex')}`;
    const clients = await Promise.all(
      Array.from({ length: INSTANCES }, () => connect({ url: server.url, offlineQueue: false })),
    );
    try {
      const limiters = clients.map((instanceClient) =>
        createRateLimiter(instanceClient, {
          algorithm: 'sliding-window-log',
          limit: LIMIT,
          windowMs: 60_000,
          prefix,
          timeoutMs: 200,
          onOutage: { fallback: new InMemoryRateLimiter({ limit: SHARE, windowMs: 60_000 }) },
        }),
      );
      const burst = (perInstance: number) =>
        Promise.all(
          Array.from({ length: perInstance * INSTANCES }, (_, i) =>
            (limiters[i % INSTANCES] as RateLimiter).limit('id'),
          ),
        );
      const decisions: RateLimitResult[] = [];
      decisions.push(...(await burst(5)));
      expect(decisions.every((d) => d.source === 'redis')).toBe(true);
      // Frozen: every command is sent, none is answered; the fallbacks decide. On SIGCONT Redis runs them all.
      server.pause();
      try {
        decisions.push(...(await burst(20)));
      } finally {
        server.resume();
      }
      while (limiters.some((l) => l.outageStats.awaitingReplies > 0)) await new Promise((r) => setTimeout(r, 20));
      decisions.push(...(await burst(10)));

      const admitted = decisions.filter((d) => d.allowed).length;
      const counted = await clients[0]?.zcard(`${prefix}:{id}`);
      const stats = limiters.map((l) => l.outageStats);
      const total = (field: 'uncountedAdmissions' | 'countedDenials' | 'lateReplies' | 'timedOut') =>
        stats.reduce((sum, s) => sum + s[field], 0);
      expect(counted).toBe(LIMIT);
      expect(total('timedOut')).toBe(20 * INSTANCES);
      expect(total('lateReplies')).toBe(20 * INSTANCES);
      expect(admitted).toBe(LIMIT - total('countedDenials') + total('uncountedAdmissions'));
      expect(total('uncountedAdmissions')).toBeLessThanOrEqual(SHARE * INSTANCES);
      expect(admitted).toBeLessThanOrEqual(LIMIT + SHARE * INSTANCES);
      // Redis's late denials were passed on: each fallback now denies what Redis denied.
      for (const limiter of limiters) expect((await limiter.limit('id')).allowed).toBe(false);
    } finally {
      await Promise.all(clients.map(closeClient));
    }
  });
});
