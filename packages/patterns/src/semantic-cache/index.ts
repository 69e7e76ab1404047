/** A semantic cache for LLM answers on Redis 8 vector sets: hits by similarity within a hard scope, per-entry TTL, shared upstream calls. */
export {
  type LabelledPair,
  pickThreshold,
  precisionRecall,
  type ScoredPair,
  scorePairs,
  type ThresholdRow,
} from './calibration.ts';
export { MAX_SCOPE_VALUE_CHARS, SEMANTIC_CACHE_DEFAULTS, type SemanticCacheOptions } from './options.ts';
export { type Scope } from './scope.ts';
export {
  type AnswerResult,
  type CacheHit,
  type CacheMiss,
  createSemanticCache,
  type SemanticCache,
  SemanticCacheTimeoutError,
  type StoreOptions,
} from './semantic-cache.ts';
