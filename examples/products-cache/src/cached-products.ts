/**
 * The products behind the cache: reads go through the cache (one key per product, one for the list), writes go to
 * the repository and then invalidate (`cache.delete`) every key that showed the old data: the product's own key and
 * the list.
 * Keys: `{namespace}:product:{id}` and `{namespace}:product:list`.
 */
import type { Cache, CacheResult } from '@redis-agent-kit/patterns/cache';
import type { Product, ProductInput } from './product.ts';
import type { ProductRepository } from './repository.ts';

export const PRODUCT_LIST_KEY = 'product:list';
export const productKey = (id: string) => `product:${id}`;

/** A write's outcome; `invalidated` is false when Redis could not be told (entries then live out their TTL). */
export interface WriteResult<T> {
  result: T;
  invalidated: boolean;
}

export class CachedProducts {
  readonly cache: Cache;
  readonly repository: ProductRepository;
  readonly #warn: (message: string) => void;

  constructor(cache: Cache, repository: ProductRepository, warn: (message: string) => void = console.warn) {
    this.cache = cache;
    this.repository = repository;
    this.#warn = warn;
  }

  list(): Promise<CacheResult<Product[]>> {
    return this.cache.getOrCompute(PRODUCT_LIST_KEY, () => this.repository.list());
  }

  get(id: string): Promise<CacheResult<Product>> {
    return this.cache.getOrCompute(productKey(id), () => this.repository.get(id));
  }

  /** Several products in one Redis round trip per server; the missing ones in one repository call. */
  async getMany(ids: string[]): Promise<Map<string, CacheResult<Product>>> {
    const byKey = await this.cache.getMany(ids.map(productKey), async (keys) => {
      const found = await this.repository.getMany(keys.map((key) => key.slice('product:'.length)));
      return new Map([...found].map(([id, product]) => [productKey(id), product]));
    });
    const found = new Map<string, CacheResult<Product>>();
    for (const id of ids) {
      const result = byKey.get(productKey(id));
      if (result) found.set(id, result);
    }
    return found;
  }

  async create(input: ProductInput): Promise<WriteResult<Product>> {
    const product = await this.repository.create(input);
    return { result: product, invalidated: await this.#invalidate(PRODUCT_LIST_KEY) };
  }

  async update(id: string, input: ProductInput): Promise<WriteResult<Product | undefined>> {
    const product = await this.repository.update(id, input);
    return { result: product, invalidated: await this.#invalidate(productKey(id), PRODUCT_LIST_KEY) };
  }

  async delete(id: string): Promise<WriteResult<boolean>> {
    const deleted = await this.repository.delete(id);
    return { result: deleted, invalidated: await this.#invalidate(productKey(id), PRODUCT_LIST_KEY) };
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
