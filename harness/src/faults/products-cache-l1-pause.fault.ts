/**
 * The near cache (the cache's `l1` option) while its Redis is frozen (SIGSTOP), with readers running through it and
 * another client writing. harness/test/products-cache-l1.test.ts covers killed invalidation connections and a killed
 * and restarted server, across processes and on a cluster; a freeze is what it leaves out: every connection stays
 * open and silent, so nothing closes, and only the heartbeat (a PING unanswered within `timeoutMs`) can tell that
 * invalidations may be stuck.
 *
 * - While frozen, every read answers: from L1 until the heartbeat misses, which empties L1, then from the origin
 *   after the read's deadline.
 * - A write sent during the freeze is applied when the server resumes: once it is acknowledged, the readers serve
 *   it (a liveness bound) and never the old version again (no read serves a version older than one already served).
 * - L1 answers hits again after the resume, on a new pair of connections, without recreating the cache; a write
 *   after that is reported through them.
 */
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createCache } from '@redis-agent-kit/patterns/cache';
import { msUntilSucceeds, settleWithin } from './measure.ts';
import { defineFaultScenario } from './scenario.ts';

/** The cache's bound on each Redis read or write (its default). */
const TIMEOUT_MS = 500;
/** A read that has not answered after this long hangs (a failure); the slowest one is reported. */
const HANG_MS = 10 * TIMEOUT_MS;
/** How long a liveness condition (L1 emptied, a version served, hits again) may take before the scenario fails. */
const LIVENESS_MS = 15_000;
const LOOPS = 4;
const KEY = 'product:hot';

/** The envelope the cache stores, written by another client as a plain SET: version `version`, fresh for a minute. */
function envelope(version: number): string {
  return JSON.stringify({ v: { version }, d: 1, e: Date.now() + 60_000 });
}

export default defineFaultScenario({
  id: 'products-cache-l1-pause',
  workflow: 'products-cache',
  fault: 'pause',
  title: 'Near cache (L1) while Redis is frozen: answers throughout, emptied by the heartbeat, no stale read after',
  async run(ctx) {
    const server = await ctx.startServer();
    // As examples/products-cache/src/server.ts connects: fail fast while Redis is away.
    const client = await ctx.connect(server, { offlineQueue: false, commandTimeoutMs: 1000 });
    // Another service's client: its write waits in the frozen server's socket and is applied on the resume.
    const writer = await ctx.connect(server);
    const redisErrors: Error[] = [];
    const cache = await createCache(client, {
      namespace: ctx.prefix,
      codec: 'string envelope',
      timeoutMs: TIMEOUT_MS,
      l1: true,
      onRedisError: (error) => redisErrors.push(error),
    });
    const full = cache.key(KEY);
    const state = {
      stopping: false,
      frozen: false,
      /** The newest version any read has served. */
      floor: 0,
      reads: 0,
      readsWhileFrozen: 0,
      slowestWhileFrozenMs: 0,
      stale: [] as string[],
      failures: [] as string[],
    };
    // The origin has nothing for the key ("not found" is not cached), so a read it answers shows no version.
    const origin = async (): Promise<{ version: number } | undefined> => undefined;
    const loop = async () => {
      while (!state.stopping) {
        const floorAtStart = state.floor;
        const frozen = state.frozen;
        const read = await settleWithin(cache.getOrCompute(KEY, origin), HANG_MS, `a read of ${KEY} through L1`);
        state.reads++;
        if (frozen) {
          state.readsWhileFrozen++;
          state.slowestWhileFrozenMs = Math.max(state.slowestWhileFrozenMs, read.ms);
        }
        if (!read.ok) {
          if (state.failures.length < 10) state.failures.push(read.error.message);
        } else {
          const version = read.value.value?.version;
          if (version !== undefined && version < floorAtStart && state.stale.length < 10) {
            state.stale.push(`served version ${version} after version ${floorAtStart} had been served`);
          }
          if (version !== undefined && version > state.floor) state.floor = version;
        }
        // L1 hits resolve at once: without a turn of the event loop, a loop would starve the invalidation connection.
        await nextTurn();
      }
    };
    const served = (version: number) => async () => {
      if (state.floor < version) throw new Error(`the readers have served version ${state.floor}, not ${version}`);
    };
    const l1HitsAbove = (hits: number) => async () => {
      if (cache.stats().l1Hits <= hits) throw new Error('no read was answered from L1');
    };

    let loops: Promise<void>[] = [];
    try {
      await writer.set(full, envelope(1), 'PX', 120_000);
      loops = Array.from({ length: LOOPS }, loop);
      await msUntilSucceeds(served(1), LIVENESS_MS);
      await msUntilSucceeds(l1HitsAbove(0), LIVENESS_MS);

      const before = cache.stats();
      server.pause();
      state.frozen = true;
      const pausedAt = performance.now();
      const written = writer.set(full, envelope(2), 'PX', 120_000);
      let emptiedAfterMs: number;
      let l1HitsWhileFrozen: number;
      try {
        await msUntilSucceeds(async () => {
          if (cache.stats().l1Flushes <= before.l1Flushes) throw new Error('L1 was not emptied while Redis is frozen');
        }, LIVENESS_MS);
        emptiedAfterMs = performance.now() - pausedAt;
        l1HitsWhileFrozen = cache.stats().l1Hits - before.l1Hits;
        // With L1 empty, reads go to the frozen Redis and, after their deadline, to the origin: wait for a round of them.
        const readsAtEmpty = state.reads;
        await msUntilSucceeds(async () => {
          if (state.reads < readsAtEmpty + LOOPS) throw new Error('reads stopped answering while Redis is frozen');
        }, LIVENESS_MS);
        assert.equal(cache.nearCache?.size, 0, 'nothing is kept in L1 while its invalidations may be stuck');
      } finally {
        state.frozen = false;
        server.resume();
      }
      const resumedAt = performance.now();
      const hitsAtResume = cache.stats().l1Hits;
      await written;
      const servedWriteMs = await msUntilSucceeds(served(2), LIVENESS_MS);
      await msUntilSucceeds(l1HitsAbove(hitsAtResume), LIVENESS_MS);
      const recoverMs = performance.now() - resumedAt;
      // Invalidations flow again on the new connections: a write after the recovery is served too.
      await writer.set(full, envelope(3), 'PX', 120_000);
      await msUntilSucceeds(served(3), LIVENESS_MS);

      state.stopping = true;
      await Promise.all(loops);
      assert.deepEqual(state.failures, [], 'every read answers while Redis is frozen');
      assert.deepEqual(state.stale, [], 'no read serves a version older than one already served');
      assert.ok(state.readsWhileFrozen > 0, 'reads ran while Redis was frozen');
      const lost = redisErrors.find((error) => error.message.startsWith('near cache:'));
      assert.ok(lost, 'the near cache reports that its invalidations stopped');
      ctx.note(`while frozen, the near cache reported: ${lost.message}`);
      return {
        numbers: {
          reads: state.reads,
          readsWhileFrozen: state.readsWhileFrozen,
          l1HitsWhileFrozen,
          slowestReadWhileFrozenMs: Math.round(state.slowestWhileFrozenMs),
          l1EmptiedAfterMs: Math.round(emptiedAfterMs),
          staleReads: state.stale.length,
          failedReads: state.failures.length,
          writeServedAfterAckMs: Math.round(servedWriteMs),
          recoverMs: Math.round(recoverMs),
        },
      };
    } finally {
      state.stopping = true;
      await Promise.allSettled(loops);
      await cache.close();
    }
  },
});
