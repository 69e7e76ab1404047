/** What the vector index needs from an embedding model: texts in, vectors of one fixed dimension out. */
export interface Embedder {
  /** Every vector has this many dimensions; the index must be built with the same. */
  readonly dim: number;
  /** The model's name, for logs and index metadata (never a credential). */
  readonly model: string;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** The local hashing embedder (`createHashingEmbedder`). */
export interface HashingEmbedderOptions {
  /** Dimensions of every vector, at least 8. Default 768. */
  dim?: number;
}

/** An OpenAI-compatible `POST /embeddings` API (`createHttpEmbedder`). */
export interface HttpEmbedderOptions {
  /** The API base (e.g. `https://api.openai.com/v1`) or the full `/embeddings` URL; credentials in it are refused. */
  url: string;
  model: string;
  /** Sent only as `Authorization: Bearer …`, and redacted from every error. */
  apiKey?: string;
  /** Expected dimension; every returned vector is checked. Default 768. */
  dim?: number;
  /** Send `dimensions: dim` in the request (OpenAI text-embedding-3-*). Default false. */
  sendDimensions?: boolean;
  /** Texts per request. Default 64. */
  batchSize?: number;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
}

/** The defaults of both embedders' options. */
export const EMBEDDER_DEFAULTS = {
  dim: 768,
  sendDimensions: false,
  batchSize: 64,
  timeoutMs: 30_000,
} as const;
