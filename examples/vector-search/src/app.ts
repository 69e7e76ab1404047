/**
 * The HTTP API: `GET /api/search?q=…&k=5[&category=a,b][&minPrice=…][&maxPrice=…]` embeds the query and returns the
 * k most similar products with scores in [0, 1]; `GET /healthz` answers 200 while Redis does.
 */
import type { RedisClient } from '@redis-agent-kit/patterns';
import type { SearchFilter } from '@redis-agent-kit/patterns/vector';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ProductSearch } from './product-index.ts';

/** A request the client got wrong: answered 400 with the reason. */
class BadRequest extends Error {}

const MAX_K = 50;

function numberParam(req: Request, name: string): number | undefined {
  const raw = req.query[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isFinite(value)) throw new BadRequest(`${name} must be a number`);
  return value;
}

function searchFilter(req: Request): SearchFilter {
  const filter: SearchFilter = {};
  const category = req.query.category;
  if (typeof category === 'string' && category.trim()) {
    const categories = category
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    filter.equals = { category: categories.length === 1 ? (categories[0] as string) : categories };
  }
  const minPrice = numberParam(req, 'minPrice');
  const maxPrice = numberParam(req, 'maxPrice');
  if (minPrice !== undefined && maxPrice !== undefined && minPrice > maxPrice) {
    throw new BadRequest('minPrice must not be above maxPrice');
  }
  if (minPrice !== undefined || maxPrice !== undefined) {
    filter.ranges = {
      price: {
        ...(minPrice !== undefined ? { min: minPrice } : {}),
        ...(maxPrice !== undefined ? { max: maxPrice } : {}),
      },
    };
  }
  return filter;
}

export function createApp(client: RedisClient, search: ProductSearch): express.Express {
  const app = express();
  app.disable('x-powered-by');

  app.get('/api/search', async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.trim() : '';
    if (!q) throw new BadRequest('q is required: /api/search?q=waterproof+hiking+boots');
    const k = numberParam(req, 'k') ?? 5;
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new BadRequest(`k must be an integer from 1 to ${MAX_K}`);
    const filter = searchFilter(req);
    const [vector] = await search.embedder.embed([q]);
    const hits = await search.index.search(vector as Float32Array, { k, filter });
    res.json({
      query: q,
      k,
      filter,
      backend: search.index.backend,
      results: hits.map((hit) => ({ id: hit.id, score: Number(hit.score.toFixed(4)), ...hit.attributes })),
    });
  });

  app.get('/healthz', async (_req, res) => {
    try {
      await client.ping();
      const info = await search.index.info();
      res.json({ status: 'ok', backend: info.backend, products: info.count, embedder: search.embedder.model });
    } catch {
      res.status(503).json({ status: 'unavailable', reason: 'Redis does not answer' });
    }
  });

  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof BadRequest || error instanceof RangeError) {
      res.status(400).json({ error: error.message });
      return;
    }
    console.error(`[vector-search] ${error.name}: ${error.message}`);
    res.status(500).json({ error: 'search failed; see the server log' });
  });
  return app;
}
