/**
 * What both products-cache fault scenarios share: the example's own wiring (the client options of its server.ts,
 * `createCache`, `CachedProducts` over the in-memory repository), a read of several products at once while Redis
 * is away, and the wait until the cache stores values again.
 */
import assert from 'node:assert/strict';
import { createCache } from '@redis-agent-kit/patterns/cache';
import { CachedProducts } from '../../../examples/products-cache/src/cached-products.ts';
import { InMemoryProductRepository } from '../../../examples/products-cache/src/repository.ts';
import type { FaultContext } from './context.ts';
import { msUntilSucceeds, settleWithin } from './measure.ts';

/** The cache's bound on each Redis read or write (its default). */
const CACHE_TIMEOUT_MS = 500;
/**
 * How long a read may take while Redis is away: a miss waits for its Redis read, bounded by the cache's deadline
 * (acted on one event-loop turn after it came due), plus the origin's latency and some room for a busy machine. The
 * write of the origin's value runs after the answer, in the background.
 */
const ANSWER_BOUND_MS = CACHE_TIMEOUT_MS + 1000;
const ORIGIN_LATENCY_MS = 5;
/** Product ids of the shipped catalogue read while Redis is away. */
const IDS = ['1', '2', '3', '4', '5', '6', '7', '8'];

/** A private server and the example's products behind a cache on it, with product 1 already cached. */
export async function productsOnPrivateServer({ startServer, connect, prefix }: FaultContext) {
  const server = await startServer();
  // As examples/products-cache/src/server.ts connects: fail fast while Redis is away.
  const client = await connect(server, { offlineQueue: false, commandTimeoutMs: 1000 });
  const redisErrors: Error[] = [];
  const cache = await createCache(client, {
    namespace: prefix,
    timeoutMs: CACHE_TIMEOUT_MS,
    onRedisError: (error) => redisErrors.push(error),
  });
  const repository = new InMemoryProductRepository({ latencyMs: ORIGIN_LATENCY_MS });
  const warnings: string[] = [];
  const products = new CachedProducts(cache, repository, (message) => warnings.push(message));
  assert.equal((await products.get('1')).status, 'MISS');
  assert.equal((await products.get('1')).status, 'HIT', 'product 1 is cached before the fault');
  return { server, products, repository, redisErrors, warnings };
}

/**
 * Reads several products at once while Redis is away: each must answer within ANSWER_BOUND_MS with the repository's
 * value (a MISS: the cached copy lives in the unreachable Redis).
 */
export async function readAllWhileAway(
  products: CachedProducts,
  repository: InMemoryProductRepository,
): Promise<{ requests: number; fromOrigin: number; errors: number; slowestMs: number }> {
  const answers = await Promise.all(
    IDS.map((id) => settleWithin(products.get(id), ANSWER_BOUND_MS, `products.get(${id}) while Redis is away`)),
  );
  const failures = answers.flatMap((a) => (a.ok ? [] : [a.error.message]));
  assert.deepEqual(failures, [], 'no read fails while Redis is away: the origin answers');
  const results = answers.flatMap((a) => (a.ok ? [a.value] : []));
  assert.deepEqual(
    results.map((r) => r.value),
    await Promise.all(IDS.map((id) => repository.get(id))),
    'the answers are the origin’s values',
  );
  const fromOrigin = results.filter((r) => r.status === 'MISS').length;
  assert.equal(fromOrigin, IDS.length, 'every read while Redis is away is answered by the origin');
  const slowestMs = Math.round(Math.max(...answers.map((a) => a.ms)));
  return { requests: IDS.length, fromOrigin, errors: failures.length, slowestMs };
}

/**
 * Milliseconds until the cache serves from Redis again: reads of one product until one is a HIT, which needs an
 * earlier MISS to have stored the value on the restarted (empty) or resumed server.
 */
export async function msUntilCachingAgain(products: CachedProducts, id: string): Promise<number> {
  return msUntilSucceeds(async () => {
    const { status } = await products.get(id);
    if (status !== 'HIT') throw new Error(`products.get(${id}) is still a ${status}`);
  }, 10_000);
}
