import type { Embedder } from './embedder.ts';
import { HashingEmbedder } from './hashing-embedder.ts';
import { HttpEmbedder } from './http-embedder.ts';

export type { Embedder } from './embedder.ts';
export { HashingEmbedder } from './hashing-embedder.ts';
export { HttpEmbedder, type HttpEmbedderOptions } from './http-embedder.ts';

/**
 * The OpenAI-compatible HTTP embedder when EMBEDDINGS_URL is set (EMBEDDINGS_MODEL required, EMBEDDINGS_API_KEY
 * and EMBEDDINGS_DIM optional), else the local hashing embedder of `dim` dimensions.
 */
export function embedderFromEnv(env: NodeJS.ProcessEnv = process.env, dim = 768): Embedder {
  if (!env.EMBEDDINGS_URL) return new HashingEmbedder(dim);
  if (!env.EMBEDDINGS_MODEL) {
    throw new RangeError('EMBEDDINGS_URL is set but EMBEDDINGS_MODEL is not: name the embedding model to use');
  }
  const configuredDim = env.EMBEDDINGS_DIM ? Number(env.EMBEDDINGS_DIM) : undefined;
  if (configuredDim !== undefined && !(Number.isInteger(configuredDim) && configuredDim > 0)) {
    throw new RangeError(`EMBEDDINGS_DIM must be a positive integer, got "${env.EMBEDDINGS_DIM}"`);
  }
  return new HttpEmbedder({
    url: env.EMBEDDINGS_URL,
    model: env.EMBEDDINGS_MODEL,
    ...(env.EMBEDDINGS_API_KEY ? { apiKey: env.EMBEDDINGS_API_KEY } : {}),
    dim: configuredDim ?? dim,
    sendDimensions: configuredDim !== undefined,
  });
}
