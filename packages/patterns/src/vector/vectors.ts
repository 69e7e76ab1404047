/** Vector helpers shared by both backends and the embedders: wire format, validation, similarity. */
import { endianness } from 'node:os';
import { VectorDimensionError, VectorValueError } from './errors.ts';

const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * The little-endian FP32 blob that `VADD … FP32`, `VSIM … FP32` and FT query parameters take: 4 bytes a value
 * instead of about 10 characters of text, and no float parsing on the server.
 */
export function toFp32Blob(vector: ArrayLike<number>): Buffer {
  const floats = Float32Array.from(vector);
  if (LITTLE_ENDIAN) return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength);
  const blob = Buffer.allocUnsafe(floats.length * 4);
  for (let i = 0; i < floats.length; i++) blob.writeFloatLE(floats[i] as number, i * 4);
  return blob;
}

/**
 * The largest vector length (Euclidean norm) accepted. Vectors travel and are stored as float32, and the server
 * normalises each one in float32: a norm past about 1.8e19 overflows its sum of squares (FLT_MAX is 3.4e38) and
 * the vector is stored as NaN. 1e19 keeps a margin for the server's rounding; embeddings have norms near 1.
 */
export const MAX_VECTOR_NORM = 1e19;

/**
 * What makes a vector unstorable, or undefined when nothing does: a value that is not finite as a float32 (what is
 * sent: `1e39` is finite in JavaScript and Infinity in float32), or a norm above MAX_VECTOR_NORM.
 */
export function vectorValueProblem(vector: ArrayLike<number>): string | undefined {
  let squares = 0;
  for (let i = 0; i < vector.length; i++) {
    const value = Math.fround(vector[i] as number);
    if (!Number.isFinite(value)) {
      return `has the value ${vector[i]} at position ${i}, which is not a finite 32-bit float (|x| < 3.4e38)`;
    }
    squares += value * value;
  }
  const norm = Math.sqrt(squares);
  if (norm > MAX_VECTOR_NORM) {
    return `has length ${norm.toPrecision(3)}, above ${MAX_VECTOR_NORM}: the server normalises in 32-bit floats and would store NaN (cosine similarity ignores length: scale it down)`;
  }
  return undefined;
}

/** Refuses, before anything is sent, a vector of the wrong length or with a value the server cannot store. */
export function checkVector(vector: ArrayLike<number>, dim: number, what: string, index: string): void {
  if (vector.length !== dim) throw new VectorDimensionError(what, vector.length, dim, `index "${index}"`);
  const problem = vectorValueProblem(vector);
  if (problem) throw new VectorValueError(`${what} ${problem}: check the embedder's output`);
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const norms = Math.sqrt(dot(a, a) * dot(b, b));
  return norms === 0 ? 0 : dot(a, b) / norms;
}

/** Scales a vector to unit length in place (a zero vector stays zero) and returns it. */
export function normalize(vector: Float32Array): Float32Array {
  const norm = Math.sqrt(dot(vector, vector));
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] as number) / norm;
  return vector;
}

/**
 * The one score scale of this module: cosine similarity mapped to [0, 1] as (1 + cos) / 2.
 * VSIM already answers on this scale; FT answers cosine distance d = 1 - cos in [0, 2], so 1 - d / 2 is the same
 * number. Using (1 + cos) / 2 rather than 1 - d keeps the two backends' scores equal for the same pair of vectors
 * and inside [0, 1] even for opposite vectors.
 */
export function similarityFromCosineDistance(distance: number): number {
  return clamp01(1 - distance / 2);
}

export function similarityFromCosine(cos: number): number {
  return clamp01((1 + cos) / 2);
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
