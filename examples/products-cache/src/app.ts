/**
 * The Express 5 products API. Every read says where its answer came from in `X-Cache`: `HIT` (Redis), `MISS`
 * (the repository, then cached) or `STALE` (an expired cached value, because the repository failed). When Redis
 * is down, reads answer from the repository (`MISS`) and the cache recovers by itself when Redis returns.
 */
import { closeClient, withTimeout } from '@redis-agent-kit/patterns';
import type { CacheStatus } from '@redis-agent-kit/patterns/cache';
import express, { type NextFunction, type Request, type Response } from 'express';
import { type CachedProducts, combinedStatus } from './cached-products.ts';
import { parseListQuery } from './list-query.ts';
import { isProductId, parseProductInput } from './product.ts';

/** The largest request body read; a product is at most about 2 KB (see PRODUCT_LIMITS). */
const BODY_LIMIT = '16kb';

function answer(res: Response, status: CacheStatus, body: unknown): void {
  res.set('X-Cache', status).json(body);
}

function invalidation(res: Response, invalidated: boolean): Response {
  // The write succeeded; say so when the cache may still show the old data for up to its TTL.
  return invalidated ? res : res.set('X-Cache-Invalidation', 'failed');
}

function badRequest(res: Response, error: string): void {
  res.status(400).json({ error });
}

/** The id of a `/:id` route, or undefined after answering 400 for one that cannot be a product id. */
function productId(req: Request, res: Response): string | undefined {
  const id = String(req.params.id);
  if (isProductId(id)) return id;
  badRequest(res, 'a product id is 1 to 64 letters, digits, "-" or "_"');
  return undefined;
}

/**
 * The status and message of a client's mistake that Express or its body parser raised (malformed JSON, a body over
 * the limit, an unsupported charset), or undefined for anything else (the server's own trouble).
 */
function clientError(error: unknown): { status: number; message: string } | undefined {
  const { status, type, expose, message } = (error ?? {}) as Record<string, unknown>;
  if (typeof status !== 'number' || status < 400 || status > 499 || expose !== true) return undefined;
  if (type === 'entity.parse.failed') return { status, message: `the request body is not valid JSON: ${message}` };
  if (type === 'entity.too.large') return { status, message: `the request body is over the ${BODY_LIMIT} limit` };
  return { status, message: String(message) };
}

function redisAnswers(products: CachedProducts): Promise<boolean> {
  return withTimeout(products.cache.client.ping(), 500, () => new Error('no PONG within 500 ms')).then(
    () => true,
    () => false,
  );
}

export function createApp(products: CachedProducts): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: BODY_LIMIT }));

  app.get('/healthz', async (_req, res) => {
    const redis = (await redisAnswers(products)) ? 'up' : 'down';
    // Still 200 when Redis is down: the API keeps answering from the repository.
    res.json({
      status: redis === 'up' ? 'ok' : 'degraded',
      redis,
      codec: products.cache.codec,
      cache: products.cache.stats(),
    });
  });

  app.get('/api/products', async (req, res) => {
    const query = parseListQuery(req.originalUrl);
    if (typeof query === 'string') return badRequest(res, query);
    if ('ids' in query) {
      const found = await products.getMany(query.ids);
      const values = [...found.values()].flatMap((result) => (result.value === undefined ? [] : [result.value]));
      return answer(res, combinedStatus(found.values()), values);
    }
    const page = await products.page(query.offset, query.limit);
    res.set('X-Total-Count', String(page.total));
    const next = query.offset + query.limit;
    if (next < page.total) res.links({ next: `/api/products?limit=${query.limit}&offset=${next}` });
    answer(res, page.status, page.products);
  });

  app.get('/api/products/:id', async (req, res) => {
    const id = productId(req, res);
    if (id === undefined) return;
    const product = await products.get(id);
    if (product.value === undefined) {
      res
        .set('X-Cache', product.status)
        .status(404)
        .json({ error: `no product ${id}` });
      return;
    }
    answer(res, product.status, product.value);
  });

  app.post('/api/products', async (req, res) => {
    const input = parseProductInput(req.body);
    if (typeof input === 'string') return badRequest(res, input);
    const { result, invalidated } = await products.create(input);
    invalidation(res, invalidated).status(201).location(`/api/products/${result.id}`).json(result);
  });

  app.put('/api/products/:id', async (req, res) => {
    const id = productId(req, res);
    if (id === undefined) return;
    const input = parseProductInput(req.body);
    if (typeof input === 'string') return badRequest(res, input);
    const { result, invalidated } = await products.update(id, input);
    if (!result) {
      res.status(404).json({ error: `no product ${id}` });
      return;
    }
    invalidation(res, invalidated).json(result);
  });

  app.delete('/api/products/:id', async (req, res) => {
    const id = productId(req, res);
    if (id === undefined) return;
    const { result, invalidated } = await products.delete(id);
    if (!result) {
      res.status(404).json({ error: `no product ${id}` });
      return;
    }
    invalidation(res, invalidated).status(204).end();
  });

  app.use((req, res) => {
    res.status(404).json({ error: `no route ${req.method} ${req.path}` });
  });

  // A client's mistake is a 4xx that says what was wrong; anything else means the repository failed and no stale
  // value could stand in (Express 5 routes async errors here).
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    const mistake = clientError(error);
    if (mistake) res.status(mistake.status).json({ error: mistake.message });
    else res.status(503).json({ error: `products are unavailable: ${error.message}` });
  });

  return app;
}

/** Closes what `createApp`'s caller opened: waits for background refreshes, closes the near cache, then Redis. */
export async function shutdown(products: CachedProducts): Promise<void> {
  await products.cache.close();
  await closeClient(products.cache.client);
}
