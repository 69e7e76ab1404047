/**
 * Validation before anything is sent (an item's id, vector and attribute size; a query's k), and the defaults both
 * backends share.
 */
import { type SearchOptions, VECTOR_DEFAULTS, type VectorIndexOptions, type VectorItem } from './types.ts';
import { checkVector } from './vectors.ts';

/** Attribute JSON above this size is refused: it is stored with the vector and read back with every hit. */
const MAX_ATTRIBUTES_BYTES = 100 * 1024;

/** An id is an element name or part of a key, returned with every hit: 1 KiB of UTF-8 at most. */
export const MAX_ID_BYTES = 1024;

/** A paired surrogate is one code point in a `u` regex, so this matches only lone ones. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Text with a UTF-8 form: no lone UTF-16 surrogate (ES2024's `isWellFormed`, for an ES2023 target). */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/**
 * Refuses an id that is not a non-empty, well-formed string of at most 1 KiB of UTF-8. A lone UTF-16 surrogate has
 * no UTF-8 form: it would be sent as U+FFFD, so `\uD800` and `\uDFFF` would name the same element (the MCP server
 * refuses such key names for the same reason).
 */
export function checkId(id: unknown, index: string): string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new RangeError(`Every item of index "${index}" needs a non-empty string id`);
  }
  if (!isWellFormed(id)) {
    throw new RangeError(
      `Id ${JSON.stringify(id.slice(0, 40))} of index "${index}" is not well-formed UTF-16 (a lone surrogate): it has no UTF-8 form and would alias other ids`,
    );
  }
  const bytes = Buffer.byteLength(id);
  if (bytes > MAX_ID_BYTES) {
    throw new RangeError(`Id of index "${index}" is ${bytes} bytes, over the ${MAX_ID_BYTES}-byte limit`);
  }
  return id;
}

/** Refuses a bad item; returns its attributes as JSON ('' for none), so the caller need not serialise them again. */
export function checkItem(item: VectorItem, dim: number, index: string): string {
  checkId(item.id, index);
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
