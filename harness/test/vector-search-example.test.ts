/** examples/vector-search over HTTP against the real redis-8 target: search, filters, validation, health. */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../examples/vector-search/src/app.ts';
import { loadCatalogue } from '../../examples/vector-search/src/catalogue.ts';
import {
  ingestProducts,
  openProductSearch,
  type ProductSearch,
} from '../../examples/vector-search/src/product-index.ts';
import { clientFor, target } from '../src/vitest/index.ts';

interface SearchBody {
  backend: string;
  results: { id: string; score: number; name: string; category: string; price: number }[];
}

describe('examples/vector-search on redis-8', () => {
  let server: Server;
  let base = '';
  let search: ProductSearch;
  const products = loadCatalogue();

  beforeAll(async () => {
    const client = await clientFor(target('redis-8'));
    search = await openProductSearch(client, {
      keyPrefix: `rak:vector-search-example:${randomBytes(4).toString('hex')}`,
    });
    await ingestProducts(search, products);
    server = createApp(client, search).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
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

  it('reports health with the backend and product count', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', backend: 'vector-set', products: products.length });
  });
});
