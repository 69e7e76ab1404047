/**
 * `@redis-agent-kit/patterns/vector`: a vector index on a vector set or on `FT.CREATE … ON JSON`, picked by what
 * the server can do, the embedders that feed it, and exact search to measure its recall.
 */
export { chooseVectorIndex, openVectorIndex, pickVectorBackend } from './choose.ts';
export {
  createHashingEmbedder,
  createHttpEmbedder,
  EMBEDDER_DEFAULTS,
  type Embedder,
  embedderFromEnv,
  type HashingEmbedderOptions,
  type HttpEmbedderOptions,
} from './embedders/index.ts';
export { EF_CALIBRATION, type EfCalibrationRow, efForRecall } from './ef.ts';
export { VectorDimensionError, VectorIndexMismatchError, VectorRemovalHeldError, VectorValueError } from './errors.ts';
export type { SearchFilter } from './filters.ts';
export { ExactSearch, recallAtK } from './recall.ts';
export {
  type Attributes,
  type FieldKind,
  type Quantization,
  type SearchHit,
  type SearchOptions,
  type UpsertOptions,
  VECTOR_DEFAULTS,
  type VectorBackend,
  type VectorIndex,
  type VectorIndexInfo,
  type VectorIndexOptions,
  type VectorItem,
} from './types.ts';
export { cosineSimilarity, toFp32Blob } from './vectors.ts';
export { LUA_VREM_OR_DEFER, VADD_OR_DEFER, VREM_OR_DEFER } from './vrem-or-defer.ts';
