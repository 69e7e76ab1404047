/**
 * examples/vector-search over HTTP against the real redis-8 target: search, filters, validation, health; and its
 * two commands refusing servers they cannot use (Valkey, an index of another dimension, a cluster node reached
 * without REDIS_CLUSTER) in one line with exit code 1.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { RedisClient } from '@redis-agent-kit/patterns';
import { keySlot } from '@redis-agent-kit/patterns/cluster';
import { openVectorIndex } from '@redis-agent-kit/patterns/vector';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../examples/vector-search/src/app.ts';
import { loadCatalogue, productText } from '../../examples/vector-search/src/catalogue.ts';
import {
  ingestProducts,
  openProductSearch,
  type ProductSearch,
} from '../../examples/vector-search/src/product-index.ts';
import { embeddingLikeVectors } from '../src/suites/vector-search-data.ts';
import { clientFor, target } from '../src/vitest/index.ts';

interface SearchBody {
  backend: string;
  filter: unknown;
  results: { id: string; score: number; name: string; category: string; price: number }[];
  skipped?: { id: string; reason: string }[];
}

/** Serves an app on a loopback port; returns its base URL and a function that stops it. */
async function serve(app: ReturnType<typeof createApp>): Promise<{ base: string; close: () => Promise<void> }> {
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('examples/vector-search on redis-8', () => {
  let client: RedisClient;
  let base = '';
  let close = async () => {};
  let search: ProductSearch;
  const products = loadCatalogue();

  beforeAll(async () => {
    client = await clientFor(target('redis-8'));
    search = await openProductSearch(client, {
      keyPrefix: `rak:vector-search-example:${randomBytes(4).toString('hex')}`,
    });
    await ingestProducts(search, products);
    ({ base, close } = await serve(createApp(client, search)));
  });

  afterAll(async () => {
    await close();
    await search.index.drop();
  });

  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`);
    return { status: response.status, body: (await response.json()) as SearchBody & { error?: string } };
  };

  it('ships a catalogue of a few hundred products in five categories', () => {
    expect(products.length).toBeGreaterThanOrEqual(200);
    expect(new Set(products.map((p) => p.id)).size).toBe(products.length);
    expect(new Set(products.map((p) => p.category))).toEqual(
      new Set(['footwear', 'outdoor', 'kitchen', 'electronics', 'home']),
    );
  });

  it('answers a natural language query with the top 5 products and scores', async () => {
    const { status, body } = await get('/api/search?q=waterproof%20hiking%20boots');
    expect(status).toBe(200);
    expect(body.backend).toBe('vector-set');
    expect(body.results).toHaveLength(5);
    expect(body.results.every((r) => r.name.includes('hiking boots'))).toBe(true);
    expect(body.results.every((r) => r.score > 0.5 && r.score <= 1)).toBe(true);
  });

  it('applies the category and price filters', async () => {
    const { body } = await get('/api/search?q=coffee&k=8&category=kitchen,electronics&minPrice=50&maxPrice=150');
    expect(body.results.length).toBeGreaterThan(0);
    for (const result of body.results) {
      expect(['kitchen', 'electronics']).toContain(result.category);
      expect(result.price).toBeGreaterThanOrEqual(50);
      expect(result.price).toBeLessThanOrEqual(150);
    }
  });

  it('refuses bad requests with 400 and a reason', async () => {
    expect((await get('/api/search')).status).toBe(400);
    expect((await get('/api/search?q=x&k=0')).body.error).toMatch(/k must be/);
    expect((await get('/api/search?q=x&minPrice=9&maxPrice=1')).body.error).toMatch(/minPrice/);
  });

  it('reads numbers in every form a client may write them: tiny, huge, exponents, -0, past 2^53', async () => {
    const all = Math.min(5, products.length);
    for (const bounds of [
      'minPrice=0.0000001',
      'minPrice=1e-7',
      'maxPrice=1e21',
      'maxPrice=1E%2B21',
      'minPrice=-0',
      'minPrice=-1e-200&maxPrice=1e300',
    ]) {
      const { status, body } = await get(`/api/search?q=boots&${bounds}`);
      expect({ bounds, status }).toEqual({ bounds, status: 200 });
      expect(body.results, bounds).toHaveLength(all);
    }
    for (const bounds of ['minPrice=9007199254740993', 'maxPrice=-0', 'maxPrice=1e-7']) {
      const { status, body } = await get(`/api/search?q=boots&${bounds}`);
      expect({ bounds, status, results: body.results }).toEqual({ bounds, status: 200, results: [] });
    }
    const priciest = Math.max(...products.map((p) => p.price));
    const top = await get(`/api/search?q=boots&k=50&minPrice=${priciest}`);
    expect(top.body.results.map((r) => r.price)).toEqual(top.body.results.map(() => priciest));
    // Below the magnitude any vector-set FILTER number can spell: the client's 400, not the server's syntax error.
    const tiny = await get('/api/search?q=boots&minPrice=1e-300');
    expect(tiny.status).toBe(400);
    expect(tiny.body.error).toMatch(/minPrice|price/);
  });

  it('applies every value of a repeated category and refuses other repeated or unknown parameters', async () => {
    const { status, body } = await get('/api/search?q=lamp&k=20&category=kitchen&category=home');
    expect(status).toBe(200);
    expect(body.filter).toEqual({ equals: { category: ['kitchen', 'home'] } });
    expect(body.results).toHaveLength(20);
    expect(new Set(body.results.map((r) => r.category))).toEqual(new Set(['kitchen', 'home']));
    for (const [path, reason] of [
      ['/api/search?q=x&minPrice=1&minPrice=500', /minPrice is given 2 times/],
      ['/api/search?q=x&k=5&k=50', /k is given 2 times/],
      ['/api/search?q=x&q=y', /q is given 2 times/],
      ['/api/search?q=x&categroy=kitchen', /unknown parameter "categroy"/],
    ] as const) {
      const answer = await get(path);
      expect({ path, status: answer.status }).toEqual({ path, status: 400 });
      expect(answer.body.error).toMatch(reason);
    }
  });

  it('answers 400 for a NUL in a filter value or the query', async () => {
    for (const path of [
      '/api/search?q=boots&category=%00',
      '/api/search?q=boots&category=kitchen%00home',
      '/api/search?q=%00',
    ]) {
      const answer = await get(path);
      expect({ path, status: answer.status }).toEqual({ path, status: 400 });
      expect(answer.body.error).toBeTruthy();
    }
  });

  it('leaves out, and names, a product whose attributes another client overwrote with non-JSON', async () => {
    const victim = products.find((p) => p.name.includes('hiking boots')) as (typeof products)[number];
    const key = (search.index as unknown as { key: string }).key;
    await client.call('VSETATTR', key, victim.id, 'not json');
    try {
      const [vector] = await search.embedder.embed([productText(victim)]);
      expect((await search.index.search(vector as Float32Array, { k: 1 }))[0]?.id).toBe(victim.id);
      const { status, body } = await get(`/api/search?q=${encodeURIComponent(productText(victim))}&k=5`);
      expect(status).toBe(200);
      expect(body.results).toHaveLength(4);
      expect(body.results.map((r) => r.id)).not.toContain(victim.id);
      expect(body.skipped).toEqual([{ id: victim.id, reason: expect.stringMatching(/not a JSON object/) }]);
    } finally {
      await ingestProducts(search, [victim]);
    }
  });

  it("answers 502 when the embedder returns a vector float32 cannot hold (its failure, not the client's)", async () => {
    const broken = {
      dim: search.embedder.dim,
      model: 'overflowing-test-model',
      embed: async (texts: readonly string[]) => texts.map(() => new Float32Array(search.embedder.dim).fill(1e39)),
    };
    const other = await serve(createApp(client, { index: search.index, embedder: broken }));
    try {
      const response = await fetch(`${other.base}/api/search?q=boots`);
      expect(response.status).toBe(502);
      expect(await response.json()).toEqual({ error: 'the embedding model failed; see the server log' });
    } finally {
      await other.close();
    }
  });

  it('reports health with the backend and product count', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', backend: 'vector-set', products: products.length });
  });
});

/** Runs `node src/server.ts` of the example to its exit: its exit code and what it printed on stderr. */
function startServer(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', join(import.meta.dirname, '../../examples/vector-search/src/server.ts')],
    {
      env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}

/** One line on stderr, no stack trace, exit code 1. */
function expectOneLineRefusal(result: { code: number | null; stderr: string }, reason: RegExp): void {
  expect(result.code, result.stderr).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^\[vector-search\] cannot start: /);
  expect(lines[0]).toMatch(reason);
}

describe('examples/vector-search start-up refusals', () => {
  it('on Valkey (no vector sets, no search): one line naming the capability and what to do', async () => {
    const result = await startServer({ REDIS_URL: target('valkey-8.1').url });
    expectOneLineRefusal(result, /valkey 8\.1\.\d+ has no vector sets.*Point REDIS_URL at Redis 8/);
  });

  it('over an index of another dimension: one line naming both dimensions', async () => {
    const t = target('redis-8');
    const client = await clientFor(t);
    const keyPrefix = `rak:vector-search-dim:${randomBytes(4).toString('hex')}`;
    const existing = openVectorIndex(client, { name: 'products', keyPrefix, dim: 384, capabilities: t.capabilities });
    await existing.upsert([{ id: 'x', vector: embeddingLikeVectors(1, 384, 5)[0] as Float32Array }]);
    try {
      const result = await startServer({ REDIS_URL: t.url, KEY_PREFIX: keyPrefix });
      expectOneLineRefusal(result, /already exists with dimension 384, not 768/);
    } finally {
      await existing.drop();
    }
  });

  it('on one cluster node without REDIS_CLUSTER: one line suggesting REDIS_CLUSTER=true, not a raw MOVED', async () => {
    const t = target('redis-cluster');
    const cluster = await clientFor(t);
    if (!(cluster instanceof Cluster)) throw new Error('the cluster target gave a standalone client');
    const keyPrefix = `rak:vector-search-moved:${randomBytes(4).toString('hex')}`;
    const owner = cluster.slots[keySlot(`${keyPrefix}:vset`)]?.[0] ?? '';
    const elsewhere = t.nodes.find((url) => !url.endsWith(`:${owner.split(':').pop()}`)) as string;
    const result = await startServer({ REDIS_URL: elsewhere, KEY_PREFIX: keyPrefix });
    expectOneLineRefusal(result, /REDIS_CLUSTER=true/);
  });
});
