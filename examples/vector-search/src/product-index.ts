/**
 * The product index: the vector index backend the server supports best (FT.CREATE on JSON with search, else a
 * Redis 8 vector set), the embedder from the environment, and ingest in pipelined batches.
 */
import type { RedisClient } from '@redis-agent-kit/patterns';
import {
  chooseVectorIndex,
  type Embedder,
  embedderFromEnv,
  type VectorBackend,
  type VectorIndex,
} from '@redis-agent-kit/patterns/vector';
import { type Product, productText } from './catalogue.ts';

export interface ProductSearch {
  index: VectorIndex;
  embedder: Embedder;
}

/** `shop:product:…` keys; a different prefix keeps tests and parallel demos apart. */
export async function openProductSearch(
  client: RedisClient,
  options: { keyPrefix?: string; embedder?: Embedder; backend?: 'auto' | VectorBackend } = {},
): Promise<ProductSearch> {
  const embedder = options.embedder ?? embedderFromEnv();
  const index = await chooseVectorIndex(client, {
    name: 'products',
    keyPrefix: options.keyPrefix ?? 'shop:product',
    ...(options.backend ? { backend: options.backend } : {}),
    dim: embedder.dim,
    fields: { name: 'text', description: 'text', category: 'tag', brand: 'tag', price: 'numeric' },
  });
  return { index, embedder };
}

/** Embeds and upserts products in batches; `onProgress` sees products done so far. */
export async function ingestProducts(
  { index, embedder }: ProductSearch,
  products: readonly Product[],
  onProgress?: (done: number, total: number) => void,
  batchSize = 100,
): Promise<number> {
  for (let start = 0; start < products.length; start += batchSize) {
    const batch = products.slice(start, start + batchSize);
    const vectors = await embedder.embed(batch.map(productText));
    await index.upsert(
      batch.map(({ id, ...attributes }, i) => ({ id, vector: vectors[i] as Float32Array, attributes })),
      { batchSize },
    );
    onProgress?.(start + batch.length, products.length);
  }
  return products.length;
}
