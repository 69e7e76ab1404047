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

/**
 * A vector value the server cannot store or compare: not finite as a 32-bit float (`1e39` is stored as NaN), or a
 * vector whose length overflows float32 when the server normalises it. A RangeError: for a vector a caller
 * passed in, it is the caller's mistake; an embedder that returns one has failed upstream.
 */
export class VectorValueError extends RangeError {
  override readonly name = 'VectorValueError';
}
