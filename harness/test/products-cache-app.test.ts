/**
 * examples/products-cache over HTTP on every target: X-Cache on reads, invalidation after each write route, a TTL
 * on every key, multi-product reads across slots, one origin call for 200 concurrent requests at the expiry,
 * stale-if-error, and Redis stopped mid-run (on a private server): the API answers from the repository and
 * caches again when Redis returns.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeClient, connect, type RedisClient } from '@redis-agent-kit/patterns';
import { type Cache, createCache } from '@redis-agent-kit/patterns/cache';
import { masters } from '@redis-agent-kit/patterns/cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../examples/products-cache/src/app.ts';
import { CachedProducts } from '../../examples/products-cache/src/cached-products.ts';
import type { Product } from '../../examples/products-cache/src/product.ts';
import { InMemoryProductRepository, type ProductRepository } from '../../examples/products-cache/src/repository.ts';
import { LocalServer } from '../src/targets/local-server.ts';
import { clientFor, targets } from '../src/vitest/index.ts';

const TTL_MS = 60_000;
const GRACE_MS = 30_000;

/** The embedded repository, counting its reads and failing them while `failing` is set. */
function countingRepository() {
  const inner = new InMemoryProductRepository({ latencyMs: 20 });
  const state = { reads: 0, failing: false };
  const read =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      state.reads++;
      if (state.failing) throw new Error('database down');
      return fn(...args);
    };
  const repository: ProductRepository = {
    list: read(() => inner.list()),
    get: read((id: string) => inner.get(id)),
    getMany: read((ids: string[]) => inner.getMany(ids)),
    create: (input) => inner.create(input),
    update: (id, input) => inner.update(id, input),
    delete: (id) => inner.delete(id),
  };
  return { repository, state };
}

interface RunningApp {
  url: string;
  cache: Cache;
  origin: ReturnType<typeof countingRepository>['state'];
  clock: { offsetMs: number };
  warnings: string[];
}

const servers: { close(): void }[] = [];
afterAll(() => {
  for (const server of servers) server.close();
});

async function startApp(client: RedisClient): Promise<RunningApp> {
  // The cache's clock moves only when a test moves it, so how long a test takes never expires an entry.
  const clock = { offsetMs: 0 };
  const start = Date.now();
  const cache = await createCache(client, {
    namespace: `rak:products-cache-app:${randomBytes(4).toString('hex')}`,
    ttlMs: TTL_MS,
    staleGraceMs: GRACE_MS,
    now: () => start + clock.offsetMs,
  });
  const { repository, state } = countingRepository();
  const warnings: string[] = [];
  const server = createApp(new CachedProducts(cache, repository, (w) => warnings.push(w))).listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, cache, origin: state, clock, warnings };
}

async function get(app: RunningApp, path: string) {
  const res = await fetch(`${app.url}${path}`);
  return { status: res.status, cache: res.headers.get('x-cache'), body: res.status === 204 ? null : await res.json() };
}

async function send(app: RunningApp, method: string, path: string, body?: unknown) {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, invalidation: res.headers.get('x-cache-invalidation'), text: await res.text() };
}

/** Every key under the app's namespace, from every master on a cluster (SCAN is fine in a test). */
async function keysOf(client: RedisClient, cache: Cache): Promise<string[]> {
  const keys: string[] = [];
  for (const node of masters(client)) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', `${cache.namespace}:*`, 'COUNT', 100);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
  }
  return keys.sort();
}

const kettle = { name: 'Kettle v2', category: 'kitchen', price: 42, currency: 'EUR', stock: 3 };

for (const t of targets()) {
  describe(`products-cache app on ${t.name}`, () => {
    let client: RedisClient;
    beforeAll(async () => {
      client = await clientFor(t);
    });

    it('reads miss, then hit, and a missing product is a 404', async () => {
      const app = await startApp(client);
      const first = await get(app, '/api/products/1');
      expect([first.status, first.cache, (first.body as Product).id]).toEqual([200, 'MISS', '1']);
      const second = await get(app, '/api/products/1');
      expect([second.status, second.cache]).toEqual([200, 'HIT']);
      expect(second.body).toEqual(first.body);
      expect((await get(app, '/api/products')).cache).toBe('MISS');
      const list = await get(app, '/api/products');
      expect([list.cache, (list.body as Product[]).length]).toEqual(['HIT', 12]);
      expect(app.origin.reads).toBe(2);
      expect((await get(app, '/api/products/999')).status).toBe(404);
      const health = await (await fetch(`${app.url}/healthz`)).json();
      expect(health).toMatchObject({ status: 'ok', redis: 'up', cache: { hits: 2, misses: 3 } });
    });

    it('POST, PUT and DELETE each invalidate what showed the old data', async () => {
      const app = await startApp(client);
      await get(app, '/api/products');
      await get(app, '/api/products/2');

      const created = await send(app, 'POST', '/api/products', kettle);
      expect(created.status).toBe(201);
      const newId = (JSON.parse(created.text) as Product).id;
      const afterPost = await get(app, '/api/products');
      expect(afterPost.cache).toBe('MISS');
      expect((afterPost.body as Product[]).map((p) => p.id)).toContain(newId);
      expect((await get(app, '/api/products/2')).cache).toBe('HIT');

      expect((await send(app, 'PUT', '/api/products/2', { ...kettle, name: 'Skillet v2' })).status).toBe(200);
      const afterPut = await get(app, '/api/products/2');
      expect([afterPut.cache, (afterPut.body as Product).name]).toEqual(['MISS', 'Skillet v2']);
      const listAfterPut = await get(app, '/api/products');
      expect(listAfterPut.cache).toBe('MISS');
      expect((listAfterPut.body as Product[]).find((p) => p.id === '2')?.name).toBe('Skillet v2');

      expect((await send(app, 'DELETE', '/api/products/2')).status).toBe(204);
      const afterDelete = await get(app, '/api/products/2');
      expect([afterDelete.status, afterDelete.cache]).toEqual([404, 'MISS']);
      const listAfterDelete = await get(app, '/api/products');
      expect(listAfterDelete.cache).toBe('MISS');
      expect((listAfterDelete.body as Product[]).map((p) => p.id)).not.toContain('2');

      expect((await send(app, 'POST', '/api/products', { name: '' })).status).toBe(400);
      expect((await send(app, 'PUT', '/api/products/999', kettle)).status).toBe(404);
      expect(app.warnings).toEqual([]);
    });

    it('every key the app writes has a TTL', async () => {
      const app = await startApp(client);
      await get(app, '/api/products');
      await get(app, '/api/products?ids=1,2,3,4,5,6');
      await get(app, '/api/products/7');
      const keys = await keysOf(client, app.cache);
      expect(keys).toHaveLength(8);
      for (const key of keys) {
        const pttl = await client.pttl(key);
        expect(pttl, key).toBeGreaterThan(TTL_MS);
        expect(pttl, key).toBeLessThanOrEqual(TTL_MS + GRACE_MS);
      }
    });

    it('reads several products across slots with one repository call for the missing ones', async () => {
      const app = await startApp(client);
      await get(app, '/api/products/2');
      const many = await get(app, '/api/products?ids=1,2,3,99,4');
      expect(many.cache).toBe('MISS');
      expect((many.body as Product[]).map((p) => p.id)).toEqual(['1', '2', '3', '4']);
      expect(app.origin.reads).toBe(2);
      const again = await get(app, '/api/products?ids=1,2,3,4');
      expect(again.cache).toBe('HIT');
      expect(app.origin.reads).toBe(2);
    });

    it('200 concurrent requests at the expiry make one repository call', async () => {
      const app = await startApp(client);
      await get(app, '/api/products/3');
      app.clock.offsetMs = TTL_MS + 1;
      const answers = await Promise.all(Array.from({ length: 200 }, () => get(app, '/api/products/3')));
      expect(app.origin.reads).toBe(2);
      // Requests that reached Redis after the new value was written are hits.
      expect(answers.every((a) => a.status === 200 && (a.body as Product).id === '3')).toBe(true);
      expect(answers.filter((a) => a.cache === 'MISS').length).toBeGreaterThan(0);
      expect((await get(app, '/api/products/3')).cache).toBe('HIT');
    });

    it('serves the expired product as STALE while the repository fails, within the grace', async () => {
      const app = await startApp(client);
      const fresh = await get(app, '/api/products/4');
      app.origin.failing = true;
      app.clock.offsetMs = TTL_MS + 1;
      const stale = await get(app, '/api/products/4');
      expect([stale.status, stale.cache]).toEqual([200, 'STALE']);
      expect(stale.body).toEqual(fresh.body);
      app.clock.offsetMs = TTL_MS + GRACE_MS + 1;
      const gone = await get(app, '/api/products/4');
      expect(gone.status).toBe(503);
      expect(gone.body).toEqual({ error: 'products are unavailable: database down' });
    });
  });
}

describe('products-cache app with Redis stopped mid-run', () => {
  let server: LocalServer;
  let client: RedisClient;
  beforeAll(async () => {
    server = await LocalServer.start({ kind: 'redis' });
    // As the example's server.ts connects: no offline queue and a command timeout, so requests never wait on Redis.
    client = await connect({ url: server.url, offlineQueue: false, commandTimeoutMs: 1000 });
  });
  afterAll(async () => {
    await closeClient(client);
    await server.stop();
  });

  it('answers from the repository while Redis is down and caches again when it returns', async () => {
    const app = await startApp(client);
    expect((await get(app, '/api/products/5')).cache).toBe('MISS');
    expect((await get(app, '/api/products/5')).cache).toBe('HIT');

    await server.halt();
    for (let i = 0; i < 3; i++) {
      const down = await get(app, '/api/products/5');
      expect([down.status, down.cache, (down.body as Product).id]).toEqual([200, 'MISS', '5']);
    }
    const write = await send(app, 'PUT', '/api/products/5', kettle);
    expect([write.status, write.invalidation]).toEqual([200, 'failed']);
    expect(app.warnings.join('\n')).toMatch(/Could not delete .*product:5/);
    // set and has have no origin to answer instead: they reject, saying which key.
    await expect(app.cache.set('product:5', kettle)).rejects.toThrow(/Could not cache .*product:5/);
    await expect(app.cache.has('product:5')).rejects.toThrow(/Could not read .*product:5/);
    const health = await (await fetch(`${app.url}/healthz`)).json();
    expect(health).toMatchObject({ status: 'degraded', redis: 'down' });
    expect(app.cache.stats().redisErrors).toBeGreaterThan(0);

    await server.restart();
    for (let waited = 0; client.status !== 'ready' && waited < 15_000; waited += 100) await sleep(100);
    expect(client.status).toBe('ready');
    const back = await get(app, '/api/products/5');
    expect([back.cache, (back.body as Product).name]).toEqual(['MISS', 'Kettle v2']);
    expect((await get(app, '/api/products/5')).cache).toBe('HIT');
    expect(await (await fetch(`${app.url}/healthz`)).json()).toMatchObject({ redis: 'up' });
  });

  it('answers from the repository while Redis is frozen (SIGSTOP), after the cache stops waiting for it', async () => {
    const app = await startApp(client);
    expect((await get(app, '/api/products/6')).cache).toBe('MISS');
    server.pause();
    try {
      const frozen = await get(app, '/api/products/6');
      expect([frozen.status, frozen.cache, (frozen.body as Product).id]).toEqual([200, 'MISS', '6']);
      expect(app.cache.stats().redisErrors).toBeGreaterThan(0);
      // Bounded by the cache's deadline, like every Redis wait of the cache.
      await expect(app.cache.set('product:6', kettle)).rejects.toThrow(/Could not cache .*Redis did not answer/);
      await expect(app.cache.has('product:6')).rejects.toThrow(/Could not read .*Redis did not answer/);
    } finally {
      server.resume();
    }
  });
});
