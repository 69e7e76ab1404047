/**
 * The product search index (examples/vector-search over packages/patterns/src/vector) on a server with an
 * append-only file fsynced on every write: while the server is stopped a search fails with an error within a
 * bound (it does not hang), and after the restart the index is loaded back and answers the same query with the
 * same products, without being ingested again.
 */
import assert from 'node:assert/strict';
import { createHashingEmbedder, type SearchHit } from '@redis-agent-kit/patterns/vector';
import { loadCatalogue, productText } from '../../../examples/vector-search/src/catalogue.ts';
import { ingestProducts, openProductSearch } from '../../../examples/vector-search/src/product-index.ts';
import { failuresOf, msUntilSucceeds } from './measure.ts';
import { defineFaultScenario } from './scenario.ts';

/** Searches sent at once while the server is stopped. */
const IN_FLIGHT = 3;
/** The factory client gives up after its retries (maxRetriesPerRequest 2, reconnect backoff up to 2 s). */
const FAILURE_BOUND_MS = 15_000;

const ids = (hits: SearchHit[]) => hits.map((hit) => hit.id);

export default defineFaultScenario({
  id: 'vector-search-restart',
  workflow: 'vector-search',
  fault: 'restart',
  title: 'Vector index survives a restart of a persistent server',
  async run({ startServer, connect, prefix, note }) {
    const server = await startServer({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    // The client the example's server.ts makes: the factory's defaults.
    const client = await connect(server);
    const search = await openProductSearch(client, {
      keyPrefix: prefix,
      embedder: createHashingEmbedder({ dim: 768 }),
    });
    note(`backend: ${search.index.backend}`);
    const products = loadCatalogue();
    await ingestProducts(search, products);
    const target = products[42] as (typeof products)[number];
    const [query] = await search.embedder.embed([productText(target)]);
    const searchOnce = () => search.index.search(query as Float32Array, { k: 5 });
    const before = await searchOnce();
    assert.equal(before[0]?.id, target.id, 'a product’s own text finds it first');

    await server.halt();
    const failed = await failuresOf(IN_FLIGHT, searchOnce, FAILURE_BOUND_MS, 'search while the server is stopped');
    assert.equal(failed.length, IN_FLIGHT, 'every search while the server is stopped fails');
    for (const f of failed) {
      assert.match(f.error.message, /max retries|connection|ECONNREFUSED|closed/i, 'the error names the connection');
    }
    note(`while stopped: ${failed[0]?.error.message}`);

    await server.restart();
    const recoverMs = await msUntilSucceeds(searchOnce, 10_000);
    const info = await search.index.info();
    assert.equal(info.count, products.length, 'every ingested product is still in the index after the restart');
    const after = await searchOnce();
    assert.deepEqual(ids(after), ids(before), 'the same query finds the same products after the restart');
    return {
      numbers: {
        productsIngested: products.length,
        searchesWhileDown: IN_FLIGHT,
        errorsWhileDown: failed.length,
        slowestFailureMs: Math.round(Math.max(...failed.map((f) => f.ms))),
        recoverMs: Math.round(recoverMs),
        productsAfterRestart: info.count,
      },
    };
  },
});
