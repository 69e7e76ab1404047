/** Validation of items before anything is sent: id, vector length and values, attribute size. */
import type { VectorItem } from './types.ts';
import { checkVector } from './vectors.ts';

/** Attribute JSON above this size is refused: it is stored with the vector and read back with every hit. */
const MAX_ATTRIBUTES_BYTES = 100 * 1024;

export function checkItem(item: VectorItem, dim: number, index: string): void {
  if (typeof item.id !== 'string' || item.id.length === 0) {
    throw new RangeError(`Every item of index "${index}" needs a non-empty string id`);
  }
  checkVector(item.vector, dim, `Vector of "${item.id}"`, index);
  attributesJson(item);
}

/** The attributes as JSON, or '' for none; refuses attributes over 100 KB. */
export function attributesJson(item: VectorItem): string {
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
