/**
 * The Express 5 products API. Every read says where its answer came from in `X-Cache`: `HIT` (Redis), `MISS`
 * (the repository, then cached) or `STALE` (an expired cached value, because the repository failed). When Redis
 * is down, reads answer from the repository (`MISS`) and the cache recovers by itself when Redis returns.
 */
import { closeClient, withTimeout } from '@redis-agent-kit/patterns';
import type { CacheResult, CacheStatus } from '@redis-agent-kit/patterns/cache';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { CachedProducts } from './cached-products.ts';
import { parseProductInput } from './product.ts';

/** At most this many ids in one `?ids=` request. */
const MAX_IDS = 100;

/**
 * The weakest status among several answers: any STALE makes the response STALE, any MISS (including an id the
 * repository did not have, which is absent from `results`) a MISS.
 */
function combined(results: CacheResult<unknown>[], asked: number): CacheStatus {
  if (results.some((r) => r.status === 'STALE')) return 'STALE';
  if (results.length < asked || results.some((r) => r.status === 'MISS')) return 'MISS';
  return 'HIT';
}

function answer(res: Response, status: CacheStatus, body: unknown): void {
  res.set('X-Cache', status).json(body);
}

function invalidation(res: Response, invalidated: boolean): Response {
  // The write succeeded; say so when the cache may still show the old data for up to its TTL.
  return invalidated ? res : res.set('X-Cache-Invalidation', 'failed');
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
  app.use(express.json({ limit: '100kb' }));

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
    if (typeof req.query.ids === 'string') {
      const ids = [...new Set(req.query.ids.split(',').filter(Boolean))];
      if (ids.length > MAX_IDS) {
        res.status(400).json({ error: `at most ${MAX_IDS} ids per request` });
        return;
      }
      const found = [...(await products.getMany(ids)).values()];
      answer(
        res,
        combined(found, ids.length),
        found.map((r) => r.value),
      );
      return;
    }
    const list = await products.list();
    answer(res, list.status, list.value ?? []);
  });

  app.get('/api/products/:id', async (req, res) => {
    const product = await products.get(req.params.id);
    if (product.value === undefined) {
      res
        .set('X-Cache', product.status)
        .status(404)
        .json({ error: `no product ${req.params.id}` });
      return;
    }
    answer(res, product.status, product.value);
  });

  app.post('/api/products', async (req, res) => {
    const input = parseProductInput(req.body);
    if (typeof input === 'string') {
      res.status(400).json({ error: input });
      return;
    }
    const { result, invalidated } = await products.create(input);
    invalidation(res, invalidated).status(201).location(`/api/products/${result.id}`).json(result);
  });

  app.put('/api/products/:id', async (req, res) => {
    const input = parseProductInput(req.body);
    if (typeof input === 'string') {
      res.status(400).json({ error: input });
      return;
    }
    const { result, invalidated } = await products.update(req.params.id, input);
    if (!result) {
      res.status(404).json({ error: `no product ${req.params.id}` });
      return;
    }
    invalidation(res, invalidated).json(result);
  });

  app.delete('/api/products/:id', async (req, res) => {
    const { result, invalidated } = await products.delete(req.params.id);
    if (!result) {
      res.status(404).json({ error: `no product ${req.params.id}` });
      return;
    }
    invalidation(res, invalidated).status(204).end();
  });

  // The repository failed and no stale value could stand in (Express 5 routes async errors here).
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(503).json({ error: `products are unavailable: ${error.message}` });
  });

  return app;
}

/** Closes what `createApp`'s caller opened: waits for background refreshes, then closes Redis. */
export async function shutdown(products: CachedProducts): Promise<void> {
  await products.cache.idle();
  await closeClient(products.cache.client);
}
