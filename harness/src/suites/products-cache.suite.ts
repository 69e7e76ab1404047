/**
 * The cache layer (packages/patterns/src/cache) on every target: misses and hits, a TTL on every key, the codec
 * the server's capabilities choose (JSON documents or the string envelope), multi-key reads across cluster slots,
 * set, has and delete (with running recomputations), coalescing and XFetch at the expiry, stale-if-error, and the
 * size limit.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from '@redis-agent-kit/patterns';
import { type Cache, type CacheOptions, CacheValueTooLargeError, createCache } from '@redis-agent-kit/patterns/cache';
import { keySlot } from '@redis-agent-kit/patterns/cluster';
import { defineSuite, type SuiteContext } from '../matrix/suite.ts';

const TTL_MS = 60_000;
const GRACE_MS = 30_000;

/**
 * A cache under the check's prefix, whose clock the check moves forward: it stands still otherwise, so how long
 * the check takes never moves an entry closer to its expiry.
 */
async function cacheFor(ctx: SuiteContext, options: Partial<CacheOptions> = {}) {
  const clock = { offsetMs: 0 };
  const start = Date.now();
  const cache = await createCache(ctx.client, {
    namespace: ctx.prefix,
    ttlMs: TTL_MS,
    staleGraceMs: GRACE_MS,
    now: () => start + clock.offsetMs,
    ...options,
  });
  ctx.note(cache.codec === 'json' ? 'JSON codec' : 'fallback: string envelope');
  return { cache, clock };
}

/** An origin that counts its calls, answers after `delayMs`, and fails while `failing` is set. */
function origin<V>(make: (call: number) => V, delayMs = 20) {
  const state = {
    calls: 0,
    failing: false,
    load: async (): Promise<V> => {
      const call = ++state.calls;
      await sleep(delayMs);
      if (state.failing) throw new Error('origin down');
      return make(call);
    },
  };
  return state;
}

async function assertTtl(client: RedisClient, key: string, ttlMs = TTL_MS) {
  const pttl = await client.pttl(key);
  assert.ok(pttl > ttlMs && pttl <= ttlMs + GRACE_MS, `${key}: PTTL ${pttl}, expected ${ttlMs} ms + grace`);
}

async function storedKeys(cache: Cache, keys: string[]) {
  return Promise.all(keys.map((key) => cache.client.exists(cache.key(key))));
}

export default defineSuite({
  id: 'products-cache',
  title: 'Cache layer with XFetch stampede protection',
  checks: [
    {
      name: 'a miss computes and stores with TTL + grace, the next read hits',
      async run(ctx) {
        const { cache } = await cacheFor(ctx);
        const product = origin((call) => ({ id: 1, name: 'Kettle', call }));
        const first = await cache.getOrCompute('product:1', product.load);
        assert.deepEqual(first, { value: { id: 1, name: 'Kettle', call: 1 }, status: 'MISS' });
        const second = await cache.getOrCompute('product:1', product.load);
        assert.deepEqual(second, { value: { id: 1, name: 'Kettle', call: 1 }, status: 'HIT' });
        assert.equal(product.calls, 1);
        await assertTtl(ctx.client, cache.key('product:1'));
        const stats = cache.stats();
        assert.deepEqual([stats.hits, stats.misses, stats.originCalls], [1, 1, 1]);
        // Nothing found at the origin: nothing cached.
        assert.deepEqual(await cache.getOrCompute('product:404', async () => undefined), {
          value: undefined,
          status: 'MISS',
        });
        assert.equal(await ctx.client.exists(cache.key('product:404')), 0);
      },
    },
    {
      name: 'stores JSON documents where the server has JSON, the string envelope elsewhere',
      async run(ctx) {
        const { cache } = await cacheFor(ctx);
        await cache.getOrCompute('product:7', async () => ({ id: 7, price: 12.5 }));
        const key = cache.key('product:7');
        const type = await ctx.client.type(key);
        if (ctx.target.capabilities.json) {
          assert.equal(cache.codec, 'json');
          assert.equal(type, 'ReJSON-RL');
          // A document: other tools read fields in place.
          assert.equal(await ctx.client.call('JSON.GET', key, '$.v.price'), '[12.5]');
        } else {
          assert.equal(cache.codec, 'string envelope');
          assert.equal(type, 'string');
          assert.deepEqual(JSON.parse((await ctx.client.get(key)) as string).v, { id: 7, price: 12.5 });
        }
        await assertTtl(ctx.client, key);
      },
    },
    {
      name: 'multi-key read across slots: cached keys hit, the missing ones load in one origin call',
      async run(ctx) {
        const { cache } = await cacheFor(ctx);
        const ids = Array.from({ length: 12 }, (_, i) => `product:${i}`);
        const fullKeys = ids.map((id) => cache.key(id));
        const slots = new Set(fullKeys.map(keySlot));
        assert.ok(slots.size > 1, 'the keys must span several slots');
        if (ctx.target.cluster) {
          for (const key of fullKeys) assert.equal(await ctx.client.cluster('KEYSLOT', key), keySlot(key));
          ctx.note(`${slots.size} slots`);
        }
        const loads: string[][] = [];
        const load = async (keys: string[]) => {
          loads.push(keys);
          // product:11 does not exist at the origin.
          return new Map(keys.filter((k) => k !== 'product:11').map((k) => [k, { id: k }]));
        };
        const evens = ids.filter((_, i) => i % 2 === 0);
        await cache.getMany(evens, load);
        const all = await cache.getMany(ids, load);
        assert.deepEqual(loads, [evens, ids.filter((_, i) => i % 2 === 1)]);
        assert.deepEqual([...all.keys()], ids.slice(0, 11));
        assert.deepEqual(
          ids.slice(0, 11).map((id) => all.get(id)?.status),
          ids.slice(0, 11).map((_, i) => (i % 2 === 0 ? 'HIT' : 'MISS')),
        );
        const again = await cache.getMany(ids, load);
        assert.equal(loads.length, 3, 'only the key the origin lacks is asked for again');
        assert.deepEqual(loads[2], ['product:11']);
        assert.ok([...again.values()].every((r) => r.status === 'HIT'));
        for (const key of fullKeys.slice(0, 11)) await assertTtl(ctx.client, key);
      },
    },
    {
      name: 'deletes single keys and a whole entity list across slots, answering how many existed',
      async run(ctx) {
        const { cache } = await cacheFor(ctx);
        const keys = ['product:list', 'product:1', 'product:2', 'product:3'];
        for (const key of keys) await cache.getOrCompute(key, async () => ({ key }));
        assert.equal(await cache.delete('product:1'), 1);
        assert.deepEqual(await storedKeys(cache, keys), [1, 0, 1, 1]);
        assert.equal(await cache.delete('product:list', 'product:2', 'product:3', 'product:1'), 3);
        assert.deepEqual(await storedKeys(cache, keys), [0, 0, 0, 0]);
        assert.equal(await cache.delete(), 0);
        const after = await cache.getOrCompute('product:2', async () => ({ key: 'product:2', version: 2 }));
        assert.deepEqual(after, { value: { key: 'product:2', version: 2 }, status: 'MISS' });
      },
    },
    {
      name: 'a recomputation running when the key is deleted does not write its old value',
      async run(ctx) {
        const { cache } = await cacheFor(ctx);
        const slow = cache.getOrCompute('product:5', async () => {
          await sleep(50);
          return { version: 1 };
        });
        await sleep(10);
        await cache.delete('product:5');
        assert.deepEqual((await slow).value, { version: 1 });
        assert.equal(await ctx.client.exists(cache.key('product:5')), 0);
      },
    },
    {
      name: 'set stores a fresh value the next read hits, replacing what is cached, with its TTL + grace',
      async run(ctx) {
        const { cache, clock } = await cacheFor(ctx);
        const product = origin(() => ({ version: 'origin' }));
        assert.equal(await cache.has('product:8'), false);
        await cache.set('product:8', { version: 1 });
        assert.equal(await cache.has('product:8'), true);
        assert.deepEqual(await cache.getOrCompute('product:8', product.load), { value: { version: 1 }, status: 'HIT' });
        await assertTtl(ctx.client, cache.key('product:8'));
        await cache.set('product:8', { version: 2 }, { ttlMs: 5_000 });
        assert.deepEqual(await cache.getOrCompute('product:8', product.load), { value: { version: 2 }, status: 'HIT' });
        await assertTtl(ctx.client, cache.key('product:8'), 5_000);
        // Falsy values are values: only undefined means "not found".
        await cache.set('product:zero', 0);
        assert.deepEqual(await cache.getOrCompute('product:zero', product.load), { value: 0, status: 'HIT' });
        assert.equal(product.calls, 0);
        await assert.rejects(cache.set('product:8', undefined), TypeError);
        await assert.rejects(cache.set('product:8', 1, { ttlMs: 0 }), RangeError);
        await assert.rejects(cache.set('product:big', 'x'.repeat(120 * 1024)), CacheValueTooLargeError);
        assert.equal(await ctx.client.exists(cache.key('product:big')), 0);
        // Past the logical expiry the entry stays for the stale grace, but it is no longer fresh.
        clock.offsetMs = 5_001;
        assert.equal(await cache.has('product:8'), false);
        assert.equal(await ctx.client.exists(cache.key('product:8')), 1);
        assert.equal(await cache.delete('product:8'), 1);
        assert.equal(await cache.has('product:8'), false);
      },
    },
    {
      name: 'a value set while a recomputation runs is not overwritten by that recomputation',
      async run(ctx) {
        const { cache } = await cacheFor(ctx);
        const slow = cache.getOrCompute('product:10', async () => {
          await sleep(50);
          return { version: 'computed before the set' };
        });
        await sleep(10);
        await cache.set('product:10', { version: 'set' });
        assert.deepEqual((await slow).value, { version: 'computed before the set' });
        await cache.idle();
        assert.deepEqual(await cache.getOrCompute('product:10', async () => ({ version: 'origin' })), {
          value: { version: 'set' },
          status: 'HIT',
        });
      },
    },
    {
      name: '200 concurrent misses of one key make one origin call',
      async run(ctx) {
        const { cache } = await cacheFor(ctx);
        const product = origin(() => ({ id: 9 }), 50);
        const results = await Promise.all(
          Array.from({ length: 200 }, () => cache.getOrCompute('product:9', product.load)),
        );
        assert.equal(product.calls, 1);
        assert.ok(results.every((r) => r.status === 'MISS' && r.value?.id === 9));
        assert.equal(cache.stats().coalesced, 199);
      },
    },
    {
      name: 'at the expiry, 200 concurrent readers make one origin call and get the new value',
      async run(ctx) {
        const { cache, clock } = await cacheFor(ctx);
        const product = origin((call) => ({ id: 3, version: call }), 50);
        await cache.getOrCompute('product:3', product.load);
        clock.offsetMs = TTL_MS + 1;
        const results = await Promise.all(
          Array.from({ length: 200 }, () => cache.getOrCompute('product:3', product.load)),
        );
        assert.equal(product.calls, 2);
        assert.ok(results.every((r) => r.status === 'MISS' && r.value?.version === 2));
        const next = await cache.getOrCompute('product:3', product.load);
        assert.deepEqual(next, { value: { id: 3, version: 2 }, status: 'HIT' });
        await assertTtl(ctx.client, cache.key('product:3'));
      },
    },
    {
      name: 'XFetch: near the expiry a reader refreshes early in the background and still gets the cached value',
      async run(ctx) {
        const draw = { value: 1 };
        const { cache, clock } = await cacheFor(ctx, { random: () => draw.value });
        const product = origin((call) => ({ version: call }), 20);
        await cache.getOrCompute('product:4', product.load);
        clock.offsetMs = TTL_MS - 1_000; // 1 s left; the recomputation took delta >= 20 ms
        // A draw of 1 (ln 1 = 0) never recomputes before the expiry.
        assert.deepEqual(await cache.getOrCompute('product:4', product.load), { value: { version: 1 }, status: 'HIT' });
        await cache.idle();
        assert.equal(product.calls, 1);
        // A draw of e^-69: -delta * ln(draw) >= 20 * 69 ms > 1 s left, so a reader refreshes, only one.
        draw.value = Math.exp(-69);
        const readers = await Promise.all(
          Array.from({ length: 20 }, () => cache.getOrCompute('product:4', product.load)),
        );
        assert.ok(readers.every((r) => r.status === 'HIT' && r.value?.version === 1));
        await cache.idle();
        assert.equal(product.calls, 2);
        assert.equal(cache.stats().earlyRefreshes, 1);
        assert.deepEqual(await cache.getOrCompute('product:4', product.load), { value: { version: 2 }, status: 'HIT' });
      },
    },
    {
      name: 'stale-if-error: serves the expired value within the grace and says so, then fails',
      async run(ctx) {
        const { cache, clock } = await cacheFor(ctx);
        const product = origin((call) => ({ version: call }), 5);
        await cache.getOrCompute('product:6', product.load);
        product.failing = true;
        clock.offsetMs = TTL_MS + 1;
        const stale = await cache.getOrCompute('product:6', product.load);
        assert.equal(stale.status, 'STALE');
        assert.deepEqual(stale.value, { version: 1 });
        assert.match(String(stale.error?.message), /origin down/);
        clock.offsetMs = TTL_MS + GRACE_MS + 1;
        await assert.rejects(cache.getOrCompute('product:6', product.load), /origin down/);
        const stats = cache.stats();
        assert.deepEqual([stats.stale, stats.originErrors], [1, 2]);
        // Once the origin answers again, so does the cache.
        product.failing = false;
        assert.equal((await cache.getOrCompute('product:6', product.load)).status, 'MISS');
      },
    },
    {
      name: 'values over 100 KB are refused with a clear error unless the limit is raised',
      async run(ctx) {
        const { cache } = await cacheFor(ctx);
        const big = async () => ({ blob: 'x'.repeat(120 * 1024) });
        await assert.rejects(cache.getOrCompute('product:big', big), (error: unknown) => {
          assert.ok(error instanceof CacheValueTooLargeError);
          assert.match(error.message, /over the 102400-byte limit.*raise maxValueBytes/);
          return true;
        });
        assert.equal(await ctx.client.exists(cache.key('product:big')), 0);
        assert.equal(cache.stats().oversize, 1);
        const { cache: roomy } = await cacheFor(ctx, { maxValueBytes: 200 * 1024 });
        assert.equal((await roomy.getOrCompute('product:big', big)).status, 'MISS');
        assert.equal((await roomy.getOrCompute('product:big', big)).status, 'HIT');
        await assertTtl(ctx.client, roomy.key('product:big'));
      },
    },
    {
      name: 'a value JSON cannot hold fails the read and the set, and nothing is stored',
      async run(ctx) {
        const { cache } = await cacheFor(ctx);
        await assert.rejects(cache.getOrCompute('product:bigint', async () => ({ stock: 1n })), TypeError);
        await assert.rejects(cache.set('product:bigint', { stock: 1n }), TypeError);
        assert.equal(await ctx.client.exists(cache.key('product:bigint')), 0);
      },
    },
  ],
});
