/**
 * The cache layer (packages/patterns/src/cache) on every target: misses and hits, a TTL on every key, the codec
 * the server's capabilities choose (JSON documents or the string envelope), multi-key reads across cluster slots,
 * set, has and delete (with running recomputations), coalescing and XFetch at the expiry, stale-if-error, negative
 * caching, the size limit (a value over it is served uncached), and the near cache (`l1`): in-process hits dropped
 * by Redis's invalidations in both tracking modes, the read/invalidation race, and L1 emptied when its invalidation
 * connection is killed. (harness/test/products-cache-l1.test.ts adds processes, server restarts and delivery delays.)
 *
 * A miss answers before its value is written to Redis; checks that move the clock past an expiry first wait for
 * that write (`cache.idle()`), since a reader arriving while it runs shares the value just computed.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from '@redis-agent-kit/patterns';
import { type Cache, type CacheOptions, CacheValueTooLargeError, createCache } from '@redis-agent-kit/patterns/cache';
import { keySlot, masters } from '@redis-agent-kit/patterns/cluster';
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

/** Polls `condition` every 5 ms until it holds, failing with `what` after 5 s (a liveness bound, not a timing check). */
async function until(condition: () => boolean | Promise<boolean>, what: string) {
  for (let waited = 0; !(await condition()); waited += 5) {
    if (waited > 5_000) throw new Error(`still waiting after 5 s: ${what}`);
    await sleep(5);
  }
}

/** A cache with the near cache on, closed (its connections) after `run`. */
async function withL1(ctx: SuiteContext, options: Partial<CacheOptions>, run: (cache: Cache) => Promise<void>) {
  const { cache } = await cacheFor(ctx, { l1: true, ...options });
  try {
    assert.ok(cache.nearCache?.ready, 'the tracking sessions are set up before createCache resolves');
    await run(cache);
  } finally {
    await cache.close();
  }
}

/**
 * Waits for a miss's write and for Redis's invalidation of it (the miss's read was tracked, so the write is reported
 * back to this process, a little after the write's own reply; a read in between is read again from Redis).
 */
async function missWritten(cache: Cache, keys = 1) {
  const before = cache.stats().l1Invalidations;
  await cache.idle();
  await until(() => cache.stats().l1Invalidations >= before + keys, "the invalidations of this cache's own writes");
}

/** The envelope this cache stores, written by another client as a plain SET (or JSON.SET), as another process would. */
async function writeAsAnotherProcess(ctx: SuiteContext, cache: Cache, key: string, value: unknown) {
  const stored = JSON.stringify({ v: value, d: 1, e: Date.now() + TTL_MS });
  if (cache.codec === 'json') await ctx.client.call('JSON.SET', cache.key(key), '$', stored);
  else await ctx.client.set(cache.key(key), stored, 'PX', TTL_MS);
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
        // Every key is in the answer; the one the origin lacks is "not found" (undefined), a miss.
        assert.deepEqual([...all.keys()], ids);
        assert.deepEqual(all.get('product:11'), { value: undefined, status: 'MISS' });
        assert.deepEqual(
          ids.map((id) => all.get(id)?.status),
          ids.map((_, i) => (i % 2 === 0 ? 'HIT' : 'MISS')),
        );
        await cache.idle();
        const again = await cache.getMany(ids, load);
        assert.equal(loads.length, 3, 'only the key the origin lacks is asked for again');
        assert.deepEqual(loads[2], ['product:11']);
        assert.ok([...again.values()].slice(0, 11).every((r) => r.status === 'HIT'));
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
      // set() is called while the miss's read is still on its way: the recomputation starts after the set.
      name: 'a value set while a miss is being read is not overwritten by the recomputation that read starts',
      async run(ctx) {
        const { cache } = await cacheFor(ctx);
        const slow = cache.getOrCompute('product:11', async () => ({ version: 'computed from the miss' }));
        await cache.set('product:11', { version: 'set' });
        assert.deepEqual((await slow).value, { version: 'computed from the miss' });
        await cache.idle();
        assert.deepEqual(await cache.getOrCompute('product:11', async () => ({ version: 'origin' })), {
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
        await cache.idle();
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
        await cache.idle();
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
      name: 'a value over 100 KB is answered uncached (saying why), set refuses it, unless the limit is raised',
      async run(ctx) {
        const { cache } = await cacheFor(ctx);
        const big = origin(() => ({ blob: 'x'.repeat(120 * 1024) }), 1);
        for (let i = 0; i < 2; i++) {
          const answer = await cache.getOrCompute('product:big', big.load);
          assert.equal(answer.status, 'MISS');
          assert.equal(answer.value?.blob.length, 120 * 1024);
          assert.ok(answer.error instanceof CacheValueTooLargeError);
          assert.match(answer.error.message, /over the 102400-byte limit.*raise maxValueBytes/);
        }
        assert.equal(big.calls, 2, 'not cached: each read asks the origin');
        const many = await cache.getMany(
          ['product:big'],
          async (keys) => new Map(keys.map((k) => [k, 'y'.repeat(120 * 1024)])),
        );
        assert.ok(many.get('product:big')?.error instanceof CacheValueTooLargeError);
        await cache.idle();
        assert.equal(await ctx.client.exists(cache.key('product:big')), 0);
        assert.equal(cache.stats().oversize, 3);
        const { cache: roomy } = await cacheFor(ctx, { maxValueBytes: 200 * 1024 });
        assert.deepEqual((await roomy.getOrCompute('product:big', big.load)).error, undefined);
        await roomy.idle();
        assert.equal((await roomy.getOrCompute('product:big', big.load)).status, 'HIT');
        await assertTtl(ctx.client, roomy.key('product:big'));
      },
    },
    {
      name: 'negative caching: "not found" is cached notFoundTtlMs (no grace) when asked, and cleared by set or delete',
      async run(ctx) {
        const { cache, clock } = await cacheFor(ctx, { notFoundTtlMs: 5_000 });
        const missing = origin(() => undefined, 1);
        assert.deepEqual(await cache.getOrCompute('product:none', missing.load), { value: undefined, status: 'MISS' });
        await cache.idle();
        assert.deepEqual(await cache.getOrCompute('product:none', missing.load), { value: undefined, status: 'HIT' });
        assert.equal(missing.calls, 1);
        const pttl = await ctx.client.pttl(cache.key('product:none'));
        assert.ok(pttl > 0 && pttl <= 5_000, `PTTL ${pttl}: the not-found TTL, without the stale grace`);
        assert.equal(await cache.has('product:none'), false, 'a cached "not found" is no value');
        const many = await cache.getMany(['product:none', 'product:gone'], async () => new Map());
        assert.deepEqual(
          [...many.values()].map((r) => r.status),
          ['HIT', 'MISS'],
        );
        await cache.idle();
        assert.equal(missing.calls, 1);
        // Past its TTL, a cached "not found" is asked again and never served stale.
        missing.failing = true;
        clock.offsetMs = 5_001;
        await assert.rejects(cache.getOrCompute('product:none', missing.load), /origin down/);
        clock.offsetMs = 0;
        await cache.set('product:none', { now: 'found' });
        assert.deepEqual(await cache.getOrCompute('product:none', missing.load), {
          value: { now: 'found' },
          status: 'HIT',
        });
        assert.equal(await cache.delete('product:gone'), 1);
        // Off by default: nothing is stored for "not found".
        const { cache: plain } = await cacheFor(ctx);
        await plain.getOrCompute('product:none2', missing.load).catch(() => undefined);
        missing.failing = false;
        await plain.getOrCompute('product:none2', missing.load);
        await plain.idle();
        assert.equal(await ctx.client.exists(plain.key('product:none2')), 0);
      },
    },
    {
      name: 'l1: repeated reads answer in-process; a write by another client, set and delete drop the copy',
      async run(ctx) {
        await withL1(ctx, {}, async (cache) => {
          const product = origin((call) => ({ version: call }), 1);
          assert.equal((await cache.getOrCompute('product:1', product.load)).status, 'MISS');
          await missWritten(cache);
          // The first hit reads Redis through the tracking session and keeps the document; the next ones need no Redis.
          for (let i = 0; i < 3; i++) {
            assert.deepEqual(await cache.getOrCompute('product:1', product.load), {
              value: { version: 1 },
              status: 'HIT',
            });
          }
          assert.equal(cache.stats().l1Hits, 2);
          const before = cache.stats().l1Invalidations;
          await writeAsAnotherProcess(ctx, cache, 'product:1', { version: 'written elsewhere' });
          await until(() => cache.stats().l1Invalidations > before, 'the invalidation of product:1');
          assert.deepEqual((await cache.getOrCompute('product:1', product.load)).value, {
            version: 'written elsewhere',
          });
          assert.equal(cache.stats().l1Hits, 2, 'read from Redis after the invalidation');
          assert.deepEqual((await cache.getOrCompute('product:1', product.load)).value, {
            version: 'written elsewhere',
          });
          assert.equal(cache.stats().l1Hits, 3);
          // This process's own writes drop its copy at once, without waiting for Redis's message.
          await cache.set('product:1', { version: 'set' });
          assert.deepEqual((await cache.getOrCompute('product:1', product.load)).value, { version: 'set' });
          await cache.getOrCompute('product:1', product.load);
          await cache.delete('product:1');
          assert.equal((await cache.getOrCompute('product:1', product.load)).status, 'MISS');
          // Many keys at once: the ones L1 holds, the others in one round trip, all of them kept afterwards.
          const keys = ['product:2', 'product:3', 'product:4'];
          const load = async (asked: string[]) => new Map(asked.map((k) => [k, { key: k }]));
          await cache.getMany(keys, load);
          await missWritten(cache, keys.length);
          // Redis's invalidation for the misses' own writes may still be on its way (slower on a cluster) and drop
          // a copy read meanwhile; once delivered, one round answers all three from L1.
          let fromL1 = 0;
          for (let round = 0; round < 20 && fromL1 < keys.length; round++) {
            const hits = cache.stats().l1Hits;
            const again = await cache.getMany(keys, load);
            assert.ok([...again.values()].every((r) => r.status === 'HIT'));
            fromL1 = cache.stats().l1Hits - hits;
            if (fromL1 < keys.length) await new Promise((r) => setTimeout(r, 50));
          }
          assert.equal(fromL1, keys.length, 'all three answered from L1');
        });
      },
    },
    {
      name: 'l1: each hit is its own copy by default; with sharedValues one frozen value, still dropped on a write',
      async run(ctx) {
        const load = async () => ({ id: 1, tags: ['kitchen'] });
        await withL1(ctx, {}, async (cache) => {
          await cache.getOrCompute('product:c', load);
          await missWritten(cache);
          await cache.getOrCompute('product:c', load);
          const first = (await cache.getOrCompute('product:c', load)).value as { tags: string[] };
          first.tags.push('changed by a caller');
          assert.deepEqual((await cache.getOrCompute('product:c', load)).value, { id: 1, tags: ['kitchen'] });
          assert.equal(cache.stats().l1Hits, 2);
          // A document with an own "__proto__" key (JSON allows it) comes back as JSON.parse makes it, every hit.
          const document = '{"id":2,"__proto__":{"admin":true},"dims":[{"cm":[20,30]}]}';
          const odd = async () => JSON.parse(document) as unknown;
          await cache.getOrCompute('product:odd', odd);
          await missWritten(cache);
          for (let i = 0; i < 3; i++) {
            const { value } = await cache.getOrCompute('product:odd', odd);
            assert.equal(JSON.stringify(value), document);
            assert.equal(Object.getPrototypeOf(value), Object.prototype);
            assert.equal((value as { admin?: boolean }).admin, undefined);
            ((value as { dims: { cm: number[] }[] }).dims[0] as { cm: number[] }).cm.push(40);
          }
          assert.equal(cache.stats().l1Hits, 4);
        });
        await withL1(ctx, { l1: { sharedValues: true } }, async (cache) => {
          await cache.getOrCompute('product:s', load);
          await missWritten(cache);
          await cache.getOrCompute('product:s', load);
          const one = (await cache.getOrCompute('product:s', load)).value as { tags: string[] };
          const two = (await cache.getOrCompute('product:s', load)).value;
          assert.equal(one, two, 'the same object');
          assert.ok(Object.isFrozen(one) && Object.isFrozen(one.tags));
          assert.throws(() => one.tags.push('x'), TypeError);
          const before = cache.stats().l1Invalidations;
          await writeAsAnotherProcess(ctx, cache, 'product:s', { id: 1, tags: ['garden'] });
          await until(() => cache.stats().l1Invalidations > before, 'the invalidation of product:s');
          assert.deepEqual((await cache.getOrCompute('product:s', load)).value, { id: 1, tags: ['garden'] });
        });
      },
    },
    {
      name: 'l1: an invalidation that arrives between a read and its reply leaves nothing stale in L1',
      async run(ctx) {
        await withL1(ctx, {}, async (cache) => {
          const product = origin(() => ({ version: 'origin' }), 1);
          await writeAsAnotherProcess(ctx, cache, 'product:race', { version: 1 });
          const near = cache.nearCache as NonNullable<Cache['nearCache']>;
          const reader = near.readerOf(cache.key('product:race'));
          assert.ok(reader, 'a live tracking session serves the key');
          const readerId = String(await reader.client('ID'));
          // The reply of the next read waits in the socket while the write and its invalidation go through.
          reader.stream.pause();
          const read = cache.getOrCompute('product:race', product.load);
          const node = masters(ctx.client).find((m) => m.options.port === reader.options.port) ?? ctx.client;
          await until(
            async () => / cmd=(get|json\.get) /.test(String(await node.call('CLIENT', 'LIST', 'ID', readerId))),
            'the server to answer the read',
          );
          const before = cache.stats().l1Invalidations;
          await writeAsAnotherProcess(ctx, cache, 'product:race', { version: 2 });
          await until(() => cache.stats().l1Invalidations > before, 'the invalidation of product:race');
          reader.stream.resume();
          // The read was answered before the write: its caller gets version 1, but L1 must not keep it.
          assert.deepEqual((await read).value, { version: 1 });
          const hits = cache.stats().l1Hits;
          assert.deepEqual((await cache.getOrCompute('product:race', product.load)).value, { version: 2 });
          assert.equal(cache.stats().l1Hits, hits, 'version 1 was not kept: this read went to Redis');
          assert.equal(product.calls, 0);
        });
      },
    },
    {
      name: 'l1 BCAST: Redis reports every key under the namespace, read here or not',
      async run(ctx) {
        await withL1(ctx, { l1: { tracking: 'bcast' } }, async (cache) => {
          const product = origin((call) => ({ version: call }), 1);
          await cache.getOrCompute('product:b', product.load);
          await missWritten(cache);
          await cache.getOrCompute('product:b', product.load);
          const before = cache.stats().l1Invalidations;
          // Never read here: in the default mode nothing would be reported for it.
          await writeAsAnotherProcess(ctx, cache, 'product:never-read', { version: 'x' });
          await until(() => cache.stats().l1Invalidations > before, 'the broadcast for product:never-read');
          await writeAsAnotherProcess(ctx, cache, 'product:b', { version: 'elsewhere' });
          await until(() => cache.stats().l1Invalidations > before + 1, 'the broadcast for product:b');
          assert.deepEqual((await cache.getOrCompute('product:b', product.load)).value, { version: 'elsewhere' });
        });
      },
    },
    {
      name: 'l1: a killed invalidation connection empties L1, and a new session takes over',
      async run(ctx) {
        await withL1(ctx, {}, async (cache) => {
          const product = origin((call) => ({ version: call }), 1);
          await cache.getOrCompute('product:k', product.load);
          await missWritten(cache);
          await cache.getOrCompute('product:k', product.load);
          assert.ok((cache.nearCache?.size ?? 0) > 0);
          for (const node of masters(ctx.client)) {
            const clients = String(await node.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
            for (const line of clients.split('\n').filter((l) => l.includes('name=rak-cache-l1-invalidations'))) {
              await node.call('CLIENT', 'KILL', 'ID', /id=(\d+)/.exec(line)?.[1] ?? '');
            }
          }
          await until(() => cache.stats().l1Flushes > 0, 'L1 to be emptied');
          assert.equal(cache.nearCache?.size, 0);
          // Written while this process hears nothing: L1 must not answer the old version.
          await writeAsAnotherProcess(ctx, cache, 'product:k', { version: 'while away' });
          assert.deepEqual((await cache.getOrCompute('product:k', product.load)).value, { version: 'while away' });
          await until(() => cache.nearCache?.ready === true, 'a new tracking session');
          await cache.getOrCompute('product:k', product.load);
          const hits = cache.stats().l1Hits;
          assert.deepEqual((await cache.getOrCompute('product:k', product.load)).value, { version: 'while away' });
          assert.equal(cache.stats().l1Hits, hits + 1, 'L1 serves again');
        });
      },
    },
    {
      name: 'a value JSON cannot hold fails the read and the set, and nothing is stored',
      async run(ctx) {
        const { cache } = await cacheFor(ctx);
        await assert.rejects(
          cache.getOrCompute('product:bigint', async () => ({ stock: 1n })),
          TypeError,
        );
        await assert.rejects(cache.set('product:bigint', { stock: 1n }), TypeError);
        assert.equal(await ctx.client.exists(cache.key('product:bigint')), 0);
      },
    },
  ],
});
