/** The embedders: a local hashing embedder, an OpenAI-compatible HTTP one, and the choice between them by environment. */
import { EMBEDDER_DEFAULTS, type Embedder, type HashingEmbedderOptions } from './embedder.ts';
import { createHashingEmbedder } from './hashing-embedder.ts';
import { createHttpEmbedder } from './http-embedder.ts';

export { EMBEDDER_DEFAULTS, type Embedder, type HashingEmbedderOptions, type HttpEmbedderOptions } from './embedder.ts';
export { createHashingEmbedder } from './hashing-embedder.ts';
export { createHttpEmbedder } from './http-embedder.ts';

/**
 * The OpenAI-compatible HTTP embedder when EMBEDDINGS_URL is set (EMBEDDINGS_MODEL required, EMBEDDINGS_API_KEY
 * and EMBEDDINGS_DIM optional), else the local hashing embedder; `options.dim` (default 768) is the dimension of
 * the local embedder and of an HTTP model without EMBEDDINGS_DIM.
 */
export function embedderFromEnv(env: NodeJS.ProcessEnv = process.env, options: HashingEmbedderOptions = {}): Embedder {
  const dim = options.dim ?? EMBEDDER_DEFAULTS.dim;
  if (!env.EMBEDDINGS_URL) return createHashingEmbedder({ dim });
  if (!env.EMBEDDINGS_MODEL) {
    throw new RangeError('EMBEDDINGS_URL is set but EMBEDDINGS_MODEL is not: name the embedding model to use');
  }
  const configuredDim = env.EMBEDDINGS_DIM ? Number(env.EMBEDDINGS_DIM) : undefined;
  if (configuredDim !== undefined && !(Number.isInteger(configuredDim) && configuredDim > 0)) {
    throw new RangeError(`EMBEDDINGS_DIM must be a positive integer, got "${env.EMBEDDINGS_DIM}"`);
  }
  return createHttpEmbedder({
    url: env.EMBEDDINGS_URL,
    model: env.EMBEDDINGS_MODEL,
    ...(env.EMBEDDINGS_API_KEY ? { apiKey: env.EMBEDDINGS_API_KEY } : {}),
    dim: configuredDim ?? dim,
    sendDimensions: configuredDim !== undefined,
  });
}
