/**
 * `npm start`: connects to REDIS_URL, opens the product index under KEY_PREFIX (default `shop:product`), ingesting
 * the shipped catalogue when the index is empty, and serves the search API on PORT (default 3000). A server it
 * cannot use (no vector sets, an index of another dimension, a cluster node without REDIS_CLUSTER) is refused in
 * one line with exit code 1.
 */
import { closeClient, connect, describeClient, type RedisClient } from '@redis-agent-kit/patterns';
import { createApp } from './app.ts';
import { loadCatalogue } from './catalogue.ts';
import { ingestProducts, openProductSearch } from './product-index.ts';
import { ingestProgress } from './progress.ts';
import { exitWithRefusal } from './startup.ts';

/** The client, kept so a refusal can close it. */
let connected: RedisClient | undefined;
const { client, search } = await (async () => {
  connected = await connect({ name: 'vector-search' });
  const opened = await openProductSearch(connected, { keyPrefix: process.env.KEY_PREFIX || undefined });
  if ((await opened.index.info()).count === 0) {
    const progress = ingestProgress('index empty: ingesting the catalogue');
    const count = await ingestProducts(opened, loadCatalogue(), progress.update);
    progress.done();
    console.log(`[vector-search] ingested ${count} products`);
  }
  return { client: connected, search: opened };
})().catch((error: unknown) => exitWithRefusal('vector-search', error, connected));

const port = Number(process.env.PORT ?? 3000);
const server = createApp(client, search).listen(port, () => {
  console.log(
    `[vector-search] ${search.index.backend} index on ${describeClient(client)}, embedder ${search.embedder.model}`,
  );
  console.log(`[vector-search] try http://localhost:${port}/api/search?q=waterproof+hiking+boots&k=5`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void closeClient(client).then(() => process.exit(0));
  });
}
