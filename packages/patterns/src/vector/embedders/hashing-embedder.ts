/**
 * A local, deterministic embedder: no network, no model download, so tests and the demo run anywhere.
 *
 * It is feature hashing (the "hashing trick") over words, word pairs and character trigrams: each feature is
 * hashed (FNV-1a) to one of `dim` slots with a hash-derived sign, weights are summed, and the vector is scaled to
 * unit length. Texts that share words or word pieces ("boot", "boots", "hiking boots") share slots, so their
 * cosine similarity is high; unrelated texts land near 0. It captures spelling, not meaning: "sofa" and "couch"
 * are unrelated to it. Use the OpenAI-compatible HTTP embedder for semantic quality.
 */
import { normalize } from '../vectors.ts';
import { EMBEDDER_DEFAULTS, type Embedder, type HashingEmbedderOptions } from './embedder.ts';

const WEIGHTS = { word: 1, pair: 0.5, trigram: 0.35 } as const;

/** FNV-1a, 32 bits: fast, well spread and the same on every platform. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Lower case, accents removed, split on anything that is not a letter or digit. */
function words(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

export class HashingEmbedder implements Embedder {
  readonly dim: number;
  readonly model = 'local-hashing-ngrams-v1';

  constructor(options: HashingEmbedderOptions = {}) {
    const dim = options.dim ?? EMBEDDER_DEFAULTS.dim;
    if (!Number.isInteger(dim) || dim < 8) throw new RangeError(`dim must be an integer >= 8, got ${dim}`);
    this.dim = dim;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((text) => this.embedOne(text));
  }

  embedOne(text: string): Float32Array {
    const tokens = words(text);
    if (tokens.length === 0) {
      throw new RangeError(`Nothing to embed in ${JSON.stringify(text.slice(0, 40))}: it has no letters or digits`);
    }
    const vector = new Float32Array(this.dim);
    const add = (feature: string, weight: number) => {
      const hash = fnv1a(feature);
      // The top bit picks the sign, so colliding features cancel on average instead of piling up.
      vector[hash % this.dim] = (vector[hash % this.dim] as number) + (hash & 0x80000000 ? -weight : weight);
    };
    tokens.forEach((word, i) => {
      add(`w:${word}`, WEIGHTS.word);
      if (i > 0) add(`p:${tokens[i - 1]} ${word}`, WEIGHTS.pair);
      const padded = ` ${word} `;
      for (let j = 0; j + 3 <= padded.length; j++) add(`t:${padded.slice(j, j + 3)}`, WEIGHTS.trigram);
    });
    return normalize(vector);
  }
}

/** The local hashing embedder: deterministic, no network, spelling rather than meaning. */
export function createHashingEmbedder(options: HashingEmbedderOptions = {}): Embedder {
  return new HashingEmbedder(options);
}
