/**
 * Validation before anything is sent (an item's id, vector and attribute size; a query's k), and the defaults both
 * backends share.
 */
import { type SearchOptions, VECTOR_DEFAULTS, type VectorIndexOptions, type VectorItem } from './types.ts';
import { checkVector } from './vectors.ts';

/** Attribute JSON above this size is refused: it is stored with the vector and read back with every hit. */
const MAX_ATTRIBUTES_BYTES = 100 * 1024;

/** Refuses a bad item; returns its attributes as JSON ('' for none), so the caller need not serialise them again. */
export function checkItem(item: VectorItem, dim: number, index: string): string {
  if (typeof item.id !== 'string' || item.id.length === 0) {
    throw new RangeError(`Every item of index "${index}" needs a non-empty string id`);
  }
  checkVector(item.vector, dim, `Vector of "${item.id}"`, index);
  return attributesJson(item);
}

/** The attributes as JSON, or '' for none; refuses attributes over 100 KB. */
function attributesJson(item: VectorItem): string {
  if (!item.attributes) return '';
  const json = JSON.stringify(item.attributes);
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_ATTRIBUTES_BYTES) {
    throw new RangeError(
      `Attributes of "${item.id}" are ${bytes} bytes, over the 100 KB limit: keep large content elsewhere and store its id`,
    );
  }
  return json;
}

/** The index's key prefix: `keyPrefix`, default `vector:<name>`. */
export function keyPrefixOf(options: VectorIndexOptions): string {
  return options.keyPrefix ?? `vector:${options.name}`;
}

/** How many neighbours a search asks for: `k`, default 5, refused unless a positive integer. */
export function searchK(options: SearchOptions): number {
  const k = options.k ?? VECTOR_DEFAULTS.k;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  return k;
}
