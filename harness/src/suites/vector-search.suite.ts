/**
 * Workflow 5, the vector search index: the backend is chosen by capability (FT.CREATE on JSON where the server has
 * search and JSON, a vector set on Redis 8 without them, a refusal naming vector sets on Valkey); the shipped
 * product catalogue is ingested and searched with filters; upserts and deletes show in search; recall@10 against
 * exact brute force on embedding-like random data; wrong dimensions refused.
 */
import assert from 'node:assert/strict';
import { CapabilityMissingError } from '@redis-agent-kit/patterns';
import {
  chooseVectorIndex,
  ExactSearch,
  openVectorIndex,
  pickVectorBackend,
  type Quantization,
  recallAtK,
  VECTOR_DEFAULTS,
  type VectorIndex,
  type VectorIndexOptions,
  VectorIndexMismatchError,
} from '@redis-agent-kit/patterns/vector';
import { loadCatalogue, productText } from '../../../examples/vector-search/src/catalogue.ts';
import { ingestProducts, openProductSearch } from '../../../examples/vector-search/src/product-index.ts';
import { defineSuite, type SuiteContext } from '../matrix/suite.ts';
import { embeddingLikeVectors } from './vector-search-data.ts';

function describeBackend(index: VectorIndex, quantization: Quantization = VECTOR_DEFAULTS.quantization): string {
  return index.backend === 'vector-set' ? `vector set (${quantization})` : 'FT.CREATE on JSON';
}

/** Opens an index under the check's prefix by capability, records which backend ran, and drops it afterwards. */
async function withIndex(
  ctx: SuiteContext,
  options: Omit<VectorIndexOptions, 'name' | 'keyPrefix'>,
  body: (index: VectorIndex) => Promise<void>,
): Promise<void> {
  const index = await chooseVectorIndex(ctx.client, {
    name: 'check',
    keyPrefix: ctx.prefix,
    capabilities: ctx.target.capabilities,
    ...options,
  });
  ctx.note(describeBackend(index, options.quantization));
  try {
    await body(index);
  } finally {
    await index.drop();
  }
}

/** Ingests the shipped catalogue with the local embedder and checks search, scores and filters on it. */
async function catalogueSearch(ctx: SuiteContext, backend: VectorIndexOptions['backend']): Promise<void> {
  const search = await openProductSearch(ctx.client, { keyPrefix: ctx.prefix, backend });
  ctx.note(describeBackend(search.index));
  try {
    const products = loadCatalogue();
    let reported = 0;
    await ingestProducts(search, products, (done) => {
      reported = done;
    });
    assert.equal(reported, products.length, 'progress reaches the total');
    // FT indexes in the background; wait until every document is searchable.
    for (let i = 0; i < 50 && (await search.index.info()).count < products.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal((await search.index.info()).count, products.length);

    // A product's own text finds that product first, with a score near 1, and five hits best first.
    const target = products[42] as (typeof products)[number];
    const [query] = await search.embedder.embed([productText(target)]);
    const hits = await search.index.search(query as Float32Array, { k: 5 });
    assert.equal(hits.length, 5);
    assert.equal(hits[0]?.id, target.id);
    assert.ok((hits[0]?.score ?? 0) > 0.99, `self-similarity ${hits[0]?.score}`);
    assert.equal(hits[0]?.attributes.name, target.name);
    assert.equal(hits[0]?.attributes.price, target.price);
    for (let i = 0; i < hits.length; i++) {
      const score = hits[i]?.score as number;
      assert.ok(score >= 0 && score <= 1, `score ${score} in [0, 1]`);
      if (i > 0) assert.ok(score <= (hits[i - 1]?.score as number), 'best first');
    }

    // Filters: only kitchen products between 50 and 150, and as many of them as exist up to k.
    const [coffee] = await search.embedder.embed(['coffee']);
    const filter = { equals: { category: 'kitchen' }, ranges: { price: { min: 50, max: 150 } } };
    const filtered = await search.index.search(coffee as Float32Array, { k: 5, filter });
    const matching = products.filter((p) => p.category === 'kitchen' && p.price >= 50 && p.price <= 150);
    assert.equal(filtered.length, Math.min(5, matching.length));
    for (const hit of filtered) {
      assert.equal(hit.attributes.category, 'kitchen');
      const price = hit.attributes.price as number;
      assert.ok(price >= 50 && price <= 150, `price ${price} in range`);
    }
    const twoCategories = await search.index.search(coffee as Float32Array, {
      k: 20,
      filter: { equals: { category: ['footwear', 'home'] } },
    });
    assert.equal(twoCategories.length, 20);
    assert.ok(twoCategories.every((h) => h.attributes.category === 'footwear' || h.attributes.category === 'home'));
  } finally {
    await search.index.drop();
  }
}

export default defineSuite({
  id: 'vector-search',
  title: 'Vector search index (vector sets or FT.CREATE on JSON, by capability)',
  checks: [
    {
      name: 'picks the backend by capability, or refuses naming vector sets',
      async run({ client, prefix, target, note }) {
        const caps = target.capabilities;
        const options = { name: 'choice', keyPrefix: prefix, dim: 4, capabilities: caps };
        if (!caps.vectorSets && !(caps.search && caps.json)) {
          await assert.rejects(chooseVectorIndex(client, options), (error: unknown) => {
            assert.ok(error instanceof CapabilityMissingError);
            assert.equal(error.capability, 'vectorSets');
            assert.match(error.message, /vector sets .*or search with JSON/);
            return true;
          });
          note('refused: no vector sets, no search');
          return;
        }
        const index = await chooseVectorIndex(client, options);
        assert.equal(index.backend, pickVectorBackend(caps));
        note(describeBackend(index));
        await index.drop();
      },
    },
    {
      name: 'ingests the catalogue; search returns 5 hits with scores, best first, filters applied',
      run: (ctx) => catalogueSearch(ctx, 'auto'),
    },
    {
      name: 'FT.CREATE on JSON: the catalogue searched with KNN and filters',
      requires: ['search', 'json'],
      run: (ctx) => catalogueSearch(ctx, 'ft-json'),
    },
    {
      name: 'upsert and delete are visible to search and info',
      async run(ctx) {
        await withIndex(ctx, { dim: 64, fields: { colour: 'tag', size: 'numeric' } }, async (index) => {
          const [a, b, c] = embeddingLikeVectors(3, 64, 7);
          await index.upsert([
            { id: 'a', vector: a as Float32Array, attributes: { colour: 'red', size: 1 } },
            { id: 'b', vector: b as Float32Array, attributes: { colour: 'blue', size: 2 } },
            { id: 'c', vector: c as Float32Array, attributes: { colour: 'blue', size: 3 } },
          ]);
          assert.equal((await index.info()).count, 3);
          // Upsert replaces both the vector and the attributes: b now sits where c is, and is green.
          await index.upsert([{ id: 'b', vector: c as Float32Array, attributes: { colour: 'green', size: 9 } }]);
          const near = await index.search(c as Float32Array, { k: 2 });
          assert.deepEqual(near.map((h) => h.id).sort(), ['b', 'c']);
          assert.deepEqual(near.find((h) => h.id === 'b')?.attributes, { colour: 'green', size: 9 });
          const green = await index.search(a as Float32Array, { k: 3, filter: { equals: { colour: 'green' } } });
          assert.deepEqual(
            green.map((h) => h.id),
            ['b'],
          );
          assert.equal(await index.delete(['c', 'missing']), 1);
          const after = await index.search(c as Float32Array, { k: 3 });
          assert.deepEqual(after.map((h) => h.id).sort(), ['a', 'b']);
          assert.equal((await index.info()).count, 2);
        });
      },
    },
    {
      name: 'recall@10 against exact brute force is at least 0.95 with default settings',
      async run(ctx) {
        const dim = 768;
        // Queries come from the same distribution (the same subspace) as the data, as real queries do.
        const vectors = embeddingLikeVectors(2030, dim, 11);
        const items = vectors.slice(0, 2000).map((vector, i) => ({ id: `v${i}`, vector }));
        const queries = vectors.slice(2000);
        await withIndex(ctx, { dim }, async (index) => {
          await index.upsert(items, { batchSize: 250 });
          const exact = new ExactSearch(items);
          let total = 0;
          for (const query of queries) {
            const hits = await index.search(query, { k: 10 });
            total += recallAtK(
              hits.map((h) => h.id),
              exact.topK(query, 10),
              10,
            );
          }
          const recall = total / queries.length;
          ctx.note(`recall@10 ${recall.toFixed(3)}`);
          assert.ok(recall >= 0.95, `recall@10 ${recall.toFixed(3)} < 0.95`);
        });
      },
    },
    {
      name: 'a wrong dimension is refused at upsert, at query and when reopening the index',
      async run(ctx) {
        await withIndex(ctx, { dim: 8 }, async (index) => {
          await assert.rejects(index.upsert([{ id: 'x', vector: new Float32Array(9) }]), /has 9 dimensions.*expects 8/);
          await assert.rejects(index.search(new Float32Array(7)), /Query vector has 7 dimensions.*expects 8/);
          const [vector] = embeddingLikeVectors(1, 8, 3, 4);
          await index.upsert([{ id: 'x', vector: vector as Float32Array }]);
          // The same index opened as 16-dimensional: refused before anything is written.
          await assert.rejects(
            chooseVectorIndex(ctx.client, {
              name: 'check',
              keyPrefix: ctx.prefix,
              dim: 16,
              capabilities: ctx.target.capabilities,
            }),
            (error: unknown) => error instanceof VectorIndexMismatchError && /dimension 8, not 16/.test(error.message),
          );
        });
      },
    },
    {
      name: 'vector sets: NOQUANT, Q8 and BIN are kept, reported, and a mismatch is refused',
      requires: ['vectorSets'],
      async run(ctx) {
        const [vector] = embeddingLikeVectors(1, 16, 5, 4);
        for (const [quantization, reported] of [
          ['NOQUANT', 'f32'],
          ['Q8', 'int8'],
          ['BIN', 'bin'],
        ] as const) {
          const options = {
            name: quantization,
            keyPrefix: `${ctx.prefix}:${quantization}`,
            dim: 16,
            quantization,
            backend: 'vector-set',
            capabilities: ctx.target.capabilities,
          } as const;
          const index = openVectorIndex(ctx.client, options);
          try {
            await index.upsert([{ id: 'x', vector: vector as Float32Array, attributes: { q: quantization } }]);
            assert.equal((await index.info()).details['quant-type'], reported);
            const other = quantization === 'Q8' ? 'BIN' : 'Q8';
            await assert.rejects(
              openVectorIndex(ctx.client, { ...options, quantization: other }).ensure(),
              /quantization/,
            );
          } finally {
            await index.drop();
          }
        }
      },
    },
  ],
});
