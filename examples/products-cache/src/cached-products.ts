/**
 * The products behind the cache. Reads go through the cache: one key per product and one for the list of ids, so a
 * page of the catalogue is the cached ids plus the page's products read in one round trip (per server) by key; no
 * cached value grows with the catalogue but the ids. Writes go to the repository and then invalidate
 * (`cache.delete`) every key that showed the old data.
 * Keys: `{namespace}:product:{id}` and `{namespace}:product:ids`.
 */
import {
  type Cache,
  type CacheResult,
  type CacheStatus,
  CacheValueTooLargeError,
} from '@redis-agent-kit/patterns/cache';
import type { Product, ProductInput } from './product.ts';
import type { ProductRepository } from './repository.ts';

export const PRODUCT_IDS_KEY = 'product:ids';
export const productKey = (id: string) => `product:${id}`;

/** A write's outcome; `invalidated` is false when Redis could not be told (entries then live out their TTL). */
export interface WriteResult<T> {
  result: T;
  invalidated: boolean;
}

/** Several answers as one: any STALE makes it STALE, else any MISS a MISS. */
export function combinedStatus(results: Iterable<CacheResult<unknown>>): CacheStatus {
  let status: CacheStatus = 'HIT';
  for (const result of results) {
    if (result.status === 'STALE') return 'STALE';
    if (result.status === 'MISS') status = 'MISS';
  }
  return status;
}

export interface ProductPage {
  products: Product[];
  /** Products in the whole catalogue. */
  total: number;
  status: CacheStatus;
}

export class CachedProducts {
  readonly cache: Cache;
  readonly repository: ProductRepository;
  readonly #warn: (message: string) => void;
  readonly #warnedUncached = new Set<string>();

  constructor(cache: Cache, repository: ProductRepository, warn: (message: string) => void = console.warn) {
    this.cache = cache;
    this.repository = repository;
    this.#warn = warn;
  }

  /** Products `offset` to `offset + limit - 1` of the catalogue. */
  async page(offset: number, limit: number): Promise<ProductPage> {
    const ids = this.#noticed(await this.cache.getOrCompute(PRODUCT_IDS_KEY, () => this.repository.ids()));
    const all = ids.value ?? [];
    const found = await this.getMany(all.slice(offset, offset + limit));
    return {
      products: [...found.values()].flatMap((result) => (result.value === undefined ? [] : [result.value])),
      total: all.length,
      status: combinedStatus([ids, ...found.values()]),
    };
  }

  async get(id: string): Promise<CacheResult<Product>> {
    return this.#noticed(await this.cache.getOrCompute(productKey(id), () => this.repository.get(id)));
  }

  /** Several products in one Redis round trip per server; the missing ones in one repository call. */
  async getMany(ids: string[]): Promise<Map<string, CacheResult<Product>>> {
    const byKey = await this.cache.getMany(ids.map(productKey), async (keys) => {
      const found = await this.repository.getMany(keys.map((key) => key.slice('product:'.length)));
      return new Map([...found].map(([id, product]) => [productKey(id), product]));
    });
    return new Map(ids.map((id) => [id, this.#noticed(byKey.get(productKey(id)) as CacheResult<Product>)]));
  }

  async create(input: ProductInput): Promise<WriteResult<Product>> {
    const product = await this.repository.create(input);
    // The new id's key too: a "not found" for it may be cached (negative caching).
    return { result: product, invalidated: await this.#invalidate(productKey(product.id), PRODUCT_IDS_KEY) };
  }

  async update(id: string, input: ProductInput): Promise<WriteResult<Product | undefined>> {
    const product = await this.repository.update(id, input);
    return { result: product, invalidated: await this.#invalidate(productKey(id)) };
  }

  async delete(id: string): Promise<WriteResult<boolean>> {
    const deleted = await this.repository.delete(id);
    return { result: deleted, invalidated: await this.#invalidate(productKey(id), PRODUCT_IDS_KEY) };
  }

  /** A value too large to cache is still served (uncached); say so once per key, since each read calls the origin. */
  #noticed<T extends CacheResult<unknown>>(result: T): T {
    const { error } = result;
    if (error instanceof CacheValueTooLargeError && !this.#warnedUncached.has(error.key)) {
      this.#warnedUncached.add(error.key);
      this.#warn(`[products-cache] served uncached: ${error.message}`);
    }
    return result;
  }

  async #invalidate(...keys: string[]): Promise<boolean> {
    try {
      await this.cache.delete(...keys);
      return true;
    } catch (error) {
      this.#warn(`[products-cache] ${(error as Error).message}`);
      return false;
    }
  }
}
