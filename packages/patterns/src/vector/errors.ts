/** Errors of the vector index, each saying what went wrong and what to do. */

/** A vector whose length is not the one the index (or the embedder's configuration) expects. */
export class VectorDimensionError extends Error {
  override readonly name = 'VectorDimensionError';
  readonly expected: number;
  readonly actual: number;
  constructor(
    what: string,
    actual: number,
    expected: number,
    expectedBy: string,
    hint = 'embed with the model the index was built with, or build a new index with the new dimension',
  ) {
    super(`${what} has ${actual} dimensions but ${expectedBy} expects ${expected}: ${hint}`);
    this.expected = expected;
    this.actual = actual;
  }
}

/** An existing index was built with other settings than the ones asked for. */
export class VectorIndexMismatchError extends Error {
  override readonly name = 'VectorIndexMismatchError';
}
