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

/**
 * A delete or upsert that left some items as they were: removing (or replacing) them now could crash the server (a
 * Redis vector-set bug, see vrem-or-defer.ts). The other items were done; these stay as they were until a later
 * call, after more upserts have changed the set, gets through.
 */
export class VectorRemovalHeldError extends Error {
  override readonly name = 'VectorRemovalHeldError';
  readonly done: number;
  readonly held: readonly string[];
  constructor(verb: 'removed' | 'upserted', done: number, held: readonly string[]) {
    const ids = `${held.slice(0, 10).join(', ')}${held.length > 10 ? ', …' : ''}`;
    super(
      `${verb === 'removed' ? 'Removed' : 'Upserted'} ${done} item(s); held back ${held.length} (${ids}): removing ` +
        'their current elements now could crash this Redis (redis/redis#15424), so they stay as they were; try ' +
        'them again later, once more upserts have changed the set',
    );
    this.done = done;
    this.held = held;
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
