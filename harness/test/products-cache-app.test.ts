/**
 * examples/products-cache over HTTP on every target: X-Cache on reads, invalidation after each write route, a TTL
 * on every key, multi-product reads across slots, pages of the catalogue, one origin call for 200 concurrent
 * requests at the expiry, stale-if-error, negative caching, client mistakes answered 4xx with a JSON reason (bad
 * JSON, a body over the limit, a loose query string, a product too large to serve), the size limit never failing
 * a read, and Redis stopped or frozen mid-run (on a private server): the API answers from the repository and
 * caches again when Redis returns. Last, the real server with ORIGIN_FAILS_AFTER_SECONDS shows STALE.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeClient, connect, type RedisClient } from '@redis-agent-kit/patterns';
import { type Cache, type CacheOptions, createCache } from '@redis-agent-kit/patterns/cache';
import { masters } from '@redis-agent-kit/patterns/cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../examples/products-cache/src/app.ts';
import { CachedProducts } from '../../examples/products-cache/src/cached-products.ts';
import type { Product } from '../../examples/products-cache/src/product.ts';
import { InMemoryProductRepository, type ProductRepository } from '../../examples/products-cache/src/repository.ts';
import { LocalServer } from '../src/targets/local-server.ts';
import { freePort } from '../src/targets/ports.ts';
import type { TargetInfo } from '../src/targets/types.ts';
import { clientFor, targets } from '../src/vitest/index.ts';

const EXAMPLE_DIR = join(import.meta.dirname, '../../examples/products-cache');
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
    ids: read(() => inner.ids()),
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
const caches: Cache[] = [];
afterAll(async () => {
  for (const server of servers) server.close();
  await Promise.all(caches.map((cache) => cache.close()));
});

async function startApp(client: RedisClient, options: CacheOptions = {}): Promise<RunningApp> {
  // The cache's clock moves only when a test moves it, so how long a test takes never expires an entry.
  const clock = { offsetMs: 0 };
  const start = Date.now();
  const cache = await createCache(client, {
    namespace: `rak:products-cache-app:${randomBytes(4).toString('hex')}`,
    ttlMs: TTL_MS,
    staleGraceMs: GRACE_MS,
    now: () => start + clock.offsetMs,
    ...options,
  });
  caches.push(cache);
  const { repository, state } = countingRepository();
  const warnings: string[] = [];
  const server = createApp(new CachedProducts(cache, repository, (w) => warnings.push(w))).listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, cache, origin: state, clock, warnings };
}

async function get(app: RunningApp, path: string) {
  const res = await fetch(`${app.url}${path}`);
  return {
    status: res.status,
    cache: res.headers.get('x-cache'),
    headers: res.headers,
    body: res.status === 204 ? null : await res.json(),
  };
}

async function send(app: RunningApp, method: string, path: string, body?: unknown) {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    invalidation: res.headers.get('x-cache-invalidation'),
    text: await res.text(),
  };
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
      // The list: the ids (one origin call), then the products not cached yet (one more).
      expect((await get(app, '/api/products')).cache).toBe('MISS');
      const list = await get(app, '/api/products');
      expect([list.cache, (list.body as Product[]).length, list.headers.get('x-total-count')]).toEqual([
        'HIT',
        12,
        '12',
      ]);
      expect(app.origin.reads).toBe(3);
      expect((await get(app, '/api/products/999')).status).toBe(404);
      const health = await (await fetch(`${app.url}/healthz`)).json();
      expect(health).toMatchObject({ status: 'ok', redis: 'up', cache: { hits: 15, misses: 14 } });
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
      const listAfterPut = await get(app, '/api/products');
      expect(listAfterPut.cache).toBe('MISS');
      expect((await get(app, '/api/products/2')).cache).toBe('HIT');
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
      expect(keys).toHaveLength(13); // the ids and the 12 products
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
      expect([many.status, many.cache]).toEqual([200, 'MISS']);
      expect((many.body as Product[]).map((p) => p.id)).toEqual(['1', '2', '3', '4']);
      expect(app.origin.reads).toBe(2);
      const again = await get(app, '/api/products?ids=1,2,3,4');
      expect(again.cache).toBe('HIT');
      expect(app.origin.reads).toBe(2);
    });

    it('200 concurrent requests at the expiry make one repository call', async () => {
      const app = await startApp(client);
      await get(app, '/api/products/3');
      await app.cache.idle(); // the write of the first value: readers arriving while it runs share that value
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
      await app.cache.idle();
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

    it('pages through the catalogue: limit, offset, the total and a link to the next page', async () => {
      const app = await startApp(client);
      const first = await get(app, '/api/products?limit=5');
      expect((first.body as Product[]).map((p) => p.id)).toEqual(['1', '2', '3', '4', '5']);
      expect(first.headers.get('x-total-count')).toBe('12');
      expect(first.headers.get('link')).toBe('</api/products?limit=5&offset=5>; rel="next"');
      const last = await get(app, '/api/products?limit=5&offset=10');
      expect((last.body as Product[]).map((p) => p.id)).toEqual(['11', '12']);
      expect(last.headers.get('link')).toBeNull();
      expect((await get(app, '/api/products?limit=5&offset=10')).cache).toBe('HIT');
      const beyond = await get(app, '/api/products?offset=100');
      expect([beyond.status, beyond.body]).toEqual([200, []]);
    });

    it('negative caching (notFoundTtlMs): a missing product costs one origin call, and creating it invalidates', async () => {
      const app = await startApp(client, { notFoundTtlMs: 30_000 });
      expect((await get(app, '/api/products/13')).cache).toBe('MISS');
      const again = await get(app, '/api/products/13');
      expect([again.status, again.cache]).toEqual([404, 'HIT']);
      expect(app.origin.reads).toBe(1);
      // The not-found marker has its own short TTL, no stale grace.
      const pttl = await client.pttl(app.cache.key('product:13'));
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(30_000);
      expect((await get(app, '/api/products?ids=1,13')).cache).toBe('MISS');
      const both = await get(app, '/api/products?ids=1,13');
      expect([both.cache, (both.body as Product[]).map((p) => p.id)]).toEqual(['HIT', ['1']]);
      expect(app.origin.reads).toBe(2);
      // Creating product 13 deletes the cached "not found".
      const created = await send(app, 'POST', '/api/products', kettle);
      expect((JSON.parse(created.text) as Product).id).toBe('13');
      const found = await get(app, '/api/products/13');
      expect([found.status, found.cache, (found.body as Product).name]).toEqual([200, 'MISS', kettle.name]);
    });

    it('with the near cache (l1), repeated reads are answered in-process and a write shows at once', async () => {
      const app = await startApp(client, { l1: true });
      expect((await get(app, '/api/products/8')).cache).toBe('MISS');
      await app.cache.idle();
      for (let i = 0; i < 3; i++) expect((await get(app, '/api/products/8')).cache).toBe('HIT');
      expect(app.cache.stats().l1Hits).toBeGreaterThan(0);
      expect((await send(app, 'PUT', '/api/products/8', kettle)).status).toBe(200);
      const after = await get(app, '/api/products/8');
      expect([after.cache, (after.body as Product).name]).toEqual(['MISS', kettle.name]);
      expect(app.origin.reads).toBe(2);
    });

    it('without negative caching, every read of a missing product asks the origin', async () => {
      const app = await startApp(client);
      for (let i = 0; i < 2; i++) expect((await get(app, '/api/products/404')).cache).toBe('MISS');
      expect(app.origin.reads).toBe(2);
      expect(await client.exists(app.cache.key('product:404'))).toBe(0);
    });

    it('a value over the cache size limit is served uncached, never an outage, and the log says so once', async () => {
      // A limit below the size of the list of ids (and of a product): nothing can be cached.
      const app = await startApp(client, { maxValueBytes: 40 });
      for (let i = 0; i < 2; i++) {
        const list = await get(app, '/api/products');
        expect([list.status, list.cache, (list.body as Product[]).length]).toEqual([200, 'MISS', 12]);
        const one = await get(app, '/api/products/1');
        expect([one.status, one.cache, (one.body as Product).id]).toEqual([200, 'MISS', '1']);
      }
      expect(app.origin.reads).toBe(6);
      expect(app.cache.stats().oversize).toBeGreaterThan(0);
      const uncached = app.warnings.filter((w) => w.includes('served uncached'));
      expect(uncached.filter((w) => w.includes('product:ids'))).toHaveLength(1);
      expect(uncached[0]).toMatch(/over the 40-byte limit/);
      expect(await keysOf(client, app.cache)).toEqual([]);
    });
  });
}

describe('products-cache app: client mistakes are 4xx with a JSON reason, never 5xx', () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp(await clientFor(targets()[0] as TargetInfo));
  });

  async function expectClientError(
    answer: { status: number; type: string | null; text: string },
    status: number,
    reason: RegExp,
  ) {
    expect(answer.status).toBe(status);
    expect(answer.type).toMatch(/^application\/json/);
    expect((JSON.parse(answer.text) as { error: string }).error).toMatch(reason);
  }

  it('a malformed JSON body is 400, a body over the limit 413, an unknown route 404', async () => {
    await expectClientError(await send(app, 'POST', '/api/products', '{"name": "Kettle"'), 400, /not valid JSON/);
    await expectClientError(await send(app, 'PUT', '/api/products/1', '[1,'), 400, /not valid JSON/);
    const huge = JSON.stringify({ ...kettle, name: 'x'.repeat(150 * 1024) });
    await expectClientError(await send(app, 'POST', '/api/products', huge), 413, /over the 16kb limit/);
    await expectClientError(await send(app, 'GET', '/api/nothing'), 404, /no route GET \/api\/nothing/);
    await expectClientError(await send(app, 'GET', `/api/products/${'9'.repeat(65)}`), 400, /product id/);
    await expectClientError(await send(app, 'DELETE', '/api/products/a%20b'), 400, /product id/);
    expect(app.origin.reads).toBe(0);
  });

  it('validates on write: a product the API accepts can always be cached and served', async () => {
    // 102,350 characters fit the body limit of the old API and made the product and the list fail for everyone.
    const long = await send(app, 'POST', '/api/products', { ...kettle, name: 'n'.repeat(10_000) });
    await expectClientError(long, 400, /name must be at most 200 characters, got 10000/);
    await expectClientError(
      await send(app, 'POST', '/api/products', { ...kettle, category: 'c'.repeat(101) }),
      400,
      /category/,
    );
    await expectClientError(await send(app, 'POST', '/api/products', [kettle]), 400, /expected a JSON object/);
    await expectClientError(await send(app, 'PUT', '/api/products/1', { ...kettle, price: 1e12 }), 400, /price/);
    const longest = await send(app, 'POST', '/api/products', {
      ...kettle,
      name: '\u0001'.repeat(200),
      category: '"'.repeat(100),
    });
    expect(longest.status).toBe(201);
    const id = (JSON.parse(longest.text) as Product).id;
    for (let i = 0; i < 2; i++) {
      const one = await get(app, `/api/products/${id}`);
      expect([one.status, one.cache]).toEqual([200, i === 0 ? 'MISS' : 'HIT']);
    }
    const list = await get(app, '/api/products?limit=100');
    expect(list.status).toBe(200);
    expect((await get(app, '/api/products?limit=100')).cache).toBe('HIT');
  });

  it('parses the list query strictly: repeated, bracketed, empty or unknown parameters are 400, never the catalogue', async () => {
    const cases: [string, RegExp][] = [
      ['ids=1&ids=2', /ids is given more than once/],
      ['ids[]=1', /unknown query parameter "ids\[\]"/],
      ['ids=', /no empty item/],
      ['ids=1,,2', /no empty item/],
      ['ids=1;2', /not a product id/],
      ['ids=1&limit=5', /cannot be combined/],
      ['limit=0', /limit must be an integer from 1 to 100/],
      ['limit=101', /limit must be an integer from 1 to 100/],
      ['limit=5&limit=6', /limit is given more than once/],
      ['offset=-1', /offset must be an integer/],
      ['offset=1e3', /offset must be an integer/],
      ['page=2', /unknown query parameter "page"/],
      [`ids=${Array.from({ length: 101 }, (_, i) => i).join(',')}`, /at most 100 ids/],
    ];
    for (const [query, reason] of cases) {
      const answer = await send(app, 'GET', `/api/products?${query}`);
      await expectClientError(answer, 400, reason);
    }
    // Repeated ids within one list are read once each.
    const dup = await get(app, '/api/products?ids=2,2,3');
    expect((dup.body as Product[]).map((p) => p.id)).toEqual(['2', '3']);
  });
});

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

  it('answers a miss while Redis is frozen (SIGSTOP) without waiting for its write to Redis', async () => {
    const app = await startApp(client);
    expect((await get(app, '/api/products/6')).cache).toBe('MISS');
    await app.cache.idle(); // its write landed before the freeze
    server.pause();
    try {
      const frozen = await get(app, '/api/products/7');
      // Answered while the server is still frozen: the read gave up after the cache's deadline (one Redis error),
      // the repository answered, and the write of its value to Redis had not given up yet when the answer left.
      expect([frozen.status, frozen.cache, (frozen.body as Product).id]).toEqual([200, 'MISS', '7']);
      expect(app.cache.stats().redisErrors).toBe(1);
      await app.cache.idle();
      expect(app.cache.stats().redisErrors).toBe(2);
      const health = await (await fetch(`${app.url}/healthz`)).json();
      expect(health).toMatchObject({ status: 'degraded', redis: 'down' });
      // Bounded by the cache's deadline, like every Redis wait of the cache.
      await expect(app.cache.set('product:6', kettle)).rejects.toThrow(/Could not cache .*Redis did not answer/);
      await expect(app.cache.has('product:6')).rejects.toThrow(/Could not read .*Redis did not answer/);
    } finally {
      server.resume();
    }
  });
});

describe('products-cache server with ORIGIN_FAILS_AFTER_SECONDS', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await LocalServer.start({ kind: 'redis' });
  });
  afterAll(() => server.stop());

  it('shows STALE once the simulated outage of the data source starts', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--conditions=source', 'src/server.ts'], {
      cwd: EXAMPLE_DIR,
      env: {
        PATH: process.env.PATH ?? '',
        REDIS_URL: server.url,
        PORT: String(port),
        CACHE_TTL_SECONDS: '1',
        ORIGIN_FAILS_AFTER_SECONDS: '2',
        ORIGIN_LATENCY_MS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    for (const stream of [child.stdout, child.stderr])
      stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const seen = new Set<string>();
      // Polls until STALE shows (bounded: 150 reads, 100 ms apart), recording every X-Cache seen on the way.
      for (let i = 0; i < 150 && !seen.has('STALE'); i++) {
        const answer = await fetch(`http://127.0.0.1:${port}/api/products/1`).then(
          (res) => `${res.status} ${res.headers.get('x-cache')}`,
          () => 'not listening',
        );
        seen.add(answer.replace(/^200 /, ''));
        await sleep(100);
      }
      expect([...seen], output).toContain('STALE');
      expect([...seen]).toContain('MISS');
      expect(output).toMatch(/ORIGIN_FAILS_AFTER_SECONDS: the data source will fail from 2 s on/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
    }
  });
});
