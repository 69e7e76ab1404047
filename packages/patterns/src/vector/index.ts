export * from './choose.ts';
export * from './embedders/index.ts';
export * from './errors.ts';
export type { SearchFilter } from './filters.ts';
export { escapeTag, ftFilterQuery, vectorSetFilter } from './filters.ts';
export * from './ft-json-index.ts';
export * from './recall.ts';
export type * from './types.ts';
export * from './vector-set-index.ts';
export {
  cosineSimilarity,
  normalize,
  similarityFromCosine,
  similarityFromCosineDistance,
  toFp32Blob,
} from './vectors.ts';
