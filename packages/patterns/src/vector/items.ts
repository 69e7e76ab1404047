/** Validation of items before anything is sent: id, vector length and values, attribute size. */
import type { VectorItem } from './types.ts';
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
