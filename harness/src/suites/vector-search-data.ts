/** Seeded random vectors for the vector-search suite and benchmark: the same data on every run. */

/** Seeded standard normal numbers (Box-Muller over mulberry32), so every run uses the same data. */
function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/**
 * Random vectors shaped like embeddings: a random `latentDim`-dimensional subspace of `dim` plus a little isotropic
 * noise. Real embeddings have such low intrinsic dimension; i.i.d. Gaussian vectors in 768 dimensions have none,
 * every point is nearly equidistant from every other, and HNSW recall on them says little about real use (the
 * benchmark reports that worst case separately).
 */
export function embeddingLikeVectors(count: number, dim: number, seed: number, latentDim = 32): Float32Array[] {
  const next = embeddingLikeSource(dim, seed, latentDim);
  return Array.from({ length: count }, next);
}

/**
 * The vectors of `embeddingLikeVectors`, one a call, in the same order: for data sets too large to hold at once
 * (a benchmark seeding 100k vectors makes them batch by batch).
 */
export function embeddingLikeSource(dim: number, seed: number, latentDim = 32): () => Float32Array {
  const next = gaussian(seed);
  const basis = Array.from({ length: latentDim }, () => Float32Array.from({ length: dim }, next));
  const scale = 1 / Math.sqrt(latentDim);
  return () => {
    const vector = Float32Array.from({ length: dim }, () => 0.1 * next());
    for (const direction of basis) {
      const weight = next() * scale;
      for (let i = 0; i < dim; i++) vector[i] = (vector[i] as number) + weight * (direction[i] as number);
    }
    return vector;
  };
}

export function isotropicVectors(count: number, dim: number, seed: number): Float32Array[] {
  const next = gaussian(seed);
  return Array.from({ length: count }, () => Float32Array.from({ length: dim }, next));
}
