/** What the vector index needs from an embedding model: texts in, vectors of one fixed dimension out. */
export interface Embedder {
  /** Every vector has this many dimensions; the index must be built with the same. */
  readonly dim: number;
  /** The model's name, for logs and index metadata (never a credential). */
  readonly model: string;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}
