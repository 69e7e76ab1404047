/**
 * The HTTP API: `GET /api/search?q=…&k=5[&category=a,b][&minPrice=…][&maxPrice=…]` embeds the query and returns the
 * k most similar products with scores in [0, 1]; `GET /healthz` answers 200 while Redis does.
 */
import type { RedisClient } from '@redis-agent-kit/patterns';
import { type SearchFilter, VectorDimensionError, VectorValueError } from '@redis-agent-kit/patterns/vector';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ProductSearch } from './product-index.ts';

/** A request the client got wrong: answered 400 with the reason. */
class BadRequest extends Error {}

/** The embedding model failed (unreachable, or a vector the index cannot use): answered 502. */
class UpstreamError extends Error {}

const MAX_K = 50;
/** A query longer than this is refused: it is embedded (an API call with a real model) on every request. */
const MAX_QUERY_CHARS = 1000;
/** More categories than this in one request is refused: the filter expression grows with each. */
const MAX_CATEGORIES = 20;
/** Every parameter the API reads: any other is refused, so a misspelt filter is never silently ignored. */
const PARAMETERS = new Set(['q', 'k', 'category', 'minPrice', 'maxPrice']);

/** Every value a parameter was given, in order (`?a=1&a=2` gives both). */
function values(req: Request, name: string): string[] {
  const raw = req.query[name];
  if (raw === undefined) return [];
  return (Array.isArray(raw) ? raw : [raw]).map(String);
}

/** A parameter that may be given once; a second value would have to be dropped, so it is refused. */
function single(req: Request, name: string): string | undefined {
  const given = values(req, name);
  if (given.length > 1) throw new BadRequest(`${name} is given ${given.length} times: give it once`);
  return given[0];
}

function numberParam(req: Request, name: string): number | undefined {
  const raw = single(req, name);
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new BadRequest(`${name} must be a number`);
  return value;
}

function checkParameters(req: Request): void {
  const unknown = Object.keys(req.query).filter((name) => !PARAMETERS.has(name));
  if (unknown.length) {
    throw new BadRequest(
      `unknown parameter ${unknown.map((n) => JSON.stringify(n)).join(', ')}: use ${[...PARAMETERS].join(', ')}`,
    );
  }
}

/** `category` may be repeated or comma-separated: every value given is applied (a product in any of them). */
function searchFilter(req: Request): SearchFilter {
  const filter: SearchFilter = {};
  const categories = values(req, 'category')
    .flatMap((value) => value.split(','))
    .map((c) => c.trim())
    .filter(Boolean);
  if (categories.length > MAX_CATEGORIES) throw new BadRequest(`at most ${MAX_CATEGORIES} categories`);
  const distinct = [...new Set(categories)];
  if (distinct.length) filter.equals = { category: distinct.length === 1 ? (distinct[0] as string) : distinct };
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

/** The query's vector. The local embedder refuses text with no words (a RangeError: the client's 400); any other failure is the model's. */
async function embedQuery(search: ProductSearch, q: string): Promise<Float32Array> {
  try {
    const [vector] = await search.embedder.embed([q]);
    return vector as Float32Array;
  } catch (error) {
    if (error instanceof RangeError) throw error;
    throw new UpstreamError(`embedder ${search.embedder.model} failed: ${(error as Error).message}`);
  }
}

export function createApp(client: RedisClient, search: ProductSearch): express.Express {
  const app = express();
  app.disable('x-powered-by');

  app.get('/api/search', async (req, res) => {
    checkParameters(req);
    const q = single(req, 'q')?.trim() ?? '';
    if (!q) throw new BadRequest('q is required: /api/search?q=waterproof+hiking+boots');
    if (q.length > MAX_QUERY_CHARS) throw new BadRequest(`q is over ${MAX_QUERY_CHARS} characters`);
    const k = numberParam(req, 'k') ?? 5;
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new BadRequest(`k must be an integer from 1 to ${MAX_K}`);
    const filter = searchFilter(req);
    const vector = await embedQuery(search, q);
    const hits = await search.index.search(vector, { k, filter }).catch((error: unknown) => {
      // The vector came from the embedder, not the client: a vector the index refuses is the model's failure.
      if (error instanceof VectorValueError || error instanceof VectorDimensionError) {
        throw new UpstreamError(`embedder ${search.embedder.model} returned an unusable vector: ${error.message}`);
      }
      throw error;
    });
    // A product whose stored attributes another client overwrote with something unreadable is left out and named.
    const skipped = hits.filter((hit) => hit.attributeProblem);
    for (const hit of skipped)
      console.error(`[vector-search] skipped ${JSON.stringify(hit.id)}: ${hit.attributeProblem}`);
    res.json({
      query: q,
      k,
      filter,
      backend: search.index.backend,
      results: hits
        .filter((hit) => !hit.attributeProblem)
        .map((hit) => ({ id: hit.id, score: Number(hit.score.toFixed(4)), ...hit.attributes })),
      ...(skipped.length ? { skipped: skipped.map((hit) => ({ id: hit.id, reason: hit.attributeProblem })) } : {}),
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
    if (error instanceof UpstreamError) {
      res.status(502).json({ error: 'the embedding model failed; see the server log' });
      return;
    }
    res.status(500).json({ error: 'search failed; see the server log' });
  });
  return app;
}
