/**
 * `npm start`: connects to REDIS_URL, opens the product index (ingesting the shipped catalogue when the index is
 * empty), and serves the search API on PORT (default 3000).
 */
import { closeClient, connect, describeClient } from '@redis-agent-kit/patterns';
import { createApp } from './app.ts';
import { loadCatalogue } from './catalogue.ts';
import { ingestProducts, openProductSearch } from './product-index.ts';
import { ingestProgress } from './progress.ts';

const client = await connect({ name: 'vector-search' });
const search = await openProductSearch(client);
if ((await search.index.info()).count === 0) {
  const progress = ingestProgress('index empty: ingesting the catalogue');
  const count = await ingestProducts(search, loadCatalogue(), progress.update);
  progress.done();
  console.log(`[vector-search] ingested ${count} products`);
}

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
