/**
 * `npm run ingest`: embeds the catalogue and upserts it into the product index, with progress on a terminal.
 * Upserts replace items by id, so running it again after editing data/products.json updates the index.
 */
import { closeClient, connect, describeClient } from '@redis-agent-kit/patterns';
import { loadCatalogue } from './catalogue.ts';
import { ingestProducts, openProductSearch } from './product-index.ts';
import { ingestProgress } from './progress.ts';

const client = await connect({ name: 'vector-search-ingest' });
try {
  const search = await openProductSearch(client);
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
} finally {
  await closeClient(client);
}
