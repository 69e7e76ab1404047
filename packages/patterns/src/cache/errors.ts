/** A value the cache refuses to store because it is over the size limit. */
export class CacheValueTooLargeError extends Error {
  override readonly name = 'CacheValueTooLargeError';
  readonly key: string;
  readonly bytes: number;
  readonly maxValueBytes: number;
  constructor(key: string, bytes: number, maxValueBytes: number) {
    super(
      `Refusing to cache ${key}: its value is ${bytes} bytes, over the ${maxValueBytes}-byte limit. ` +
        'Cache smaller values (paginate, or cache ids and fetch items by key), or raise maxValueBytes if this is intended.',
    );
    this.key = key;
    this.bytes = bytes;
    this.maxValueBytes = maxValueBytes;
  }
}
