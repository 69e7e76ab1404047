/**
 * `npm run ingest`: embeds the catalogue and upserts it into the product index (under KEY_PREFIX, default
 * `shop:product`), with progress on a terminal. Upserts replace items by id, so running it again after editing
 * data/products.json updates the index. A server it cannot use is refused in one line with exit code 1.
 */
import { closeClient, connect, describeClient, type RedisClient } from '@redis-agent-kit/patterns';
import { loadCatalogue } from './catalogue.ts';
import { ingestProducts, openProductSearch } from './product-index.ts';
import { ingestProgress } from './progress.ts';
import { exitWithRefusal } from './startup.ts';

let client: RedisClient | undefined;
try {
  client = await connect({ name: 'vector-search-ingest' });
  const search = await openProductSearch(client, { keyPrefix: process.env.KEY_PREFIX || undefined });
  const products = loadCatalogue();
  const progress = ingestProgress('ingesting');
  const started = performance.now();
  await ingestProducts(search, products, progress.update);
  progress.done();
  const seconds = (performance.now() - started) / 1000;
  const info = await search.index.info();
  console.log(
    `ingested ${products.length} products in ${seconds.toFixed(1)} s into ${info.backend} index "${info.name}" ` +
      `(${info.count} items, ${info.dim} dims, embedder ${search.embedder.model}) on ${describeClient(client)}`,
  );
} catch (error) {
  await exitWithRefusal('vector-search ingest', error, client);
}
if (client) await closeClient(client);
