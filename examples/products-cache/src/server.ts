/**
 * `npm start`: the products API on PORT (default 3000) against REDIS_URL.
 * Inside the monorepo, `npm run example -- products-cache` starts a local Redis first.
 */
import { connect, redactUrl } from '@redis-agent-kit/patterns';
import { createCache } from '@redis-agent-kit/patterns/cache';
import { createApp, shutdown } from './app.ts';
import { CachedProducts } from './cached-products.ts';
import { loadConfig } from './config.ts';
import { failingFrom } from './origin-outage.ts';
import { InMemoryProductRepository, type ProductRepository } from './repository.ts';

const config = loadConfig();
// Fail fast while Redis is away (no offline queue, a command timeout): the cache then answers from the repository.
const client = await connect({ name: 'products-cache', offlineQueue: false, commandTimeoutMs: 1000 }).catch(
  (error: Error) => {
    console.error(`[products-cache] ${error.message}`);
    process.exit(1);
  },
);
let redisTrouble = false;
client.on('ready', () => {
  if (redisTrouble) console.log('[products-cache] Redis is back; caching again');
  redisTrouble = false;
});
const cache = await createCache(client, {
  namespace: config.namespace,
  ttlMs: config.ttlMs,
  staleGraceMs: config.staleGraceMs,
  notFoundTtlMs: config.notFoundTtlMs,
  l1: config.l1 === 'off' ? false : { tracking: config.l1 === 'bcast' ? 'bcast' : 'keys' },
  onRedisError: (error) => {
    // The near cache's own trouble (L1 emptied, reads go to Redis meanwhile; said once until it recovers).
    if (error.message.startsWith('near cache:')) return console.warn(`[products-cache] ${error.message}`);
    // Once per outage, not once per request.
    if (!redisTrouble)
      console.warn(`[products-cache] Redis unavailable, answering from the repository: ${error.message}`);
    redisTrouble = true;
  },
});
let repository: ProductRepository = new InMemoryProductRepository({ latencyMs: config.originLatencyMs });
if (config.originFailsAfterMs !== undefined) {
  repository = failingFrom(repository, Date.now() + config.originFailsAfterMs);
  const seconds = config.originFailsAfterMs / 1000;
  console.warn(`[products-cache] ORIGIN_FAILS_AFTER_SECONDS: the data source will fail from ${seconds} s on`);
}
const products = new CachedProducts(cache, repository);
const server = createApp(products).listen(config.port, () => {
  console.log(
    `[products-cache] http://localhost:${config.port}/api/products · Redis ${redactUrl(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')} · ${cache.codec} codec · TTL ${config.ttlMs / 1000} s · L1 ${config.l1}`,
  );
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void shutdown(products).finally(() => process.exit(0));
  });
}
