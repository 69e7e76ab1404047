/**
 * The cache's deadline on a Redis read under real event-loop stalls, on every target: a reply that reached this
 * process's socket while the loop was stalled, before the deadline was noticed, is the answer, even though the stall
 * ran past the deadline. Turning it into a timeout would serve the origin's value (a MISS, an origin call per read)
 * while Redis had answered, as a loaded process would, over and over.
 *
 * How the reply is held back without a timing race: the cache's connection is blocked by a `BLPOP` on a key of the
 * same slot, so the reads queued behind it get no reply until another client pushes to that key. The process is
 * kept busy in long turns (a busy loop in every turn, as a CPU-bound process would be); in one of them the key is
 * pushed and the stall goes on well past the read's deadline, so the reply is in the socket before the next turn
 * looks at any timer. Another read started a stall earlier is in flight meanwhile, as reads are under load. Nothing
 * here asserts a time.
 */
import { randomBytes } from 'node:crypto';
import { closeClient, connect, type RedisClient } from '@redis-agent-kit/patterns';
import { createCache } from '@redis-agent-kit/patterns/cache';
import { afterAll, describe, expect, it } from 'vitest';
import { targetConnection } from '../src/targets/describe.ts';
import { targets } from '../src/vitest/index.ts';

/** The cache's Redis deadline here: long, so the turns below outlast it by far on a busy machine. */
const TIMEOUT_MS = 2000;
/** Each busy turn: a little over a quarter of the deadline, so the deadline passes during the fifth. */
const TURN_MS = TIMEOUT_MS / 4 + 5;

/** Blocks the event loop, as a long synchronous task or a starved CPU does. */
function stall(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const clients: RedisClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map(closeClient));
});

describe('cache deadlines under event-loop stalls: a reply already received wins', () => {
  for (const target of targets()) {
    it(`${target.name}: a read whose reply arrived during a stall past its deadline is a HIT`, async () => {
      const client = await connect(targetConnection(target));
      const pusher = await connect(targetConnection(target));
      clients.push(client, pusher);
      // One hash tag: the blocking key and the cache's keys share a slot, so one connection on a cluster too.
      const namespace = `rak:{stall-${randomBytes(4).toString('hex')}}`;
      const release = `${namespace}:release`;
      const cache = await createCache(client, { namespace, timeoutMs: TIMEOUT_MS });
      let originCalls = 0;
      const origin = (name: string) => async () => {
        originCalls++;
        return { name };
      };
      for (const key of ['a', 'b']) await cache.set(key, { name: `cached ${key}` });
      // A cluster client connects to a node when it first sends it a command: connected now, the push below is
      // written at once.
      await pusher.unlink(release);

      // Every step below runs in the loop's check phase, so each following turn passes its timers first.
      await nextTurn();
      // From here on, no reply reaches the cache's connection until `release` is pushed.
      const blocked = client.blpop(release, 30);
      const first = cache.getOrCompute('a', origin('a'));
      stall(TURN_MS);
      const second = cache.getOrCompute('b', origin('b'));
      for (let turn = 0; turn < 3; turn++) {
        await nextTurn();
        stall(TURN_MS);
      }
      await nextTurn();
      // Sent at once: the server unblocks the BLPOP and answers both GETs while this process is still stalled.
      void pusher.lpush(release, 'go');
      stall(TURN_MS);

      const [popped, , answer] = await Promise.all([blocked, first, second]);
      expect(popped).toEqual([release, 'go']);
      expect(answer).toEqual({ value: { name: 'cached b' }, status: 'HIT' });
      await cache.idle();
      expect(cache.stats().redisErrors).toBeLessThanOrEqual(1); // the first read's deadline came before the push
      expect(originCalls).toBeLessThanOrEqual(1);
      await client.unlink(release, cache.key('a'), cache.key('b'));
    }, 30_000);
  }
});
