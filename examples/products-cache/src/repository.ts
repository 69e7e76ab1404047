/**
 * The origin of the products: replace `InMemoryProductRepository` with your database behind the same interface.
 * The embedded one holds the shipped sample catalogue and waits `latencyMs` per call, like a database would,
 * so the cache's effect is visible.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import catalogue from './catalogue.json' with { type: 'json' };
import type { Product, ProductInput } from './product.ts';

export interface ProductRepository {
  /** Every product id, in catalogue order (the list route pages through them). */
  ids(): Promise<string[]>;
  get(id: string): Promise<Product | undefined>;
  /** The products that exist among `ids`, by id. */
  getMany(ids: string[]): Promise<Map<string, Product>>;
  create(input: ProductInput): Promise<Product>;
  /** The replaced product, or undefined when there is none with this id. */
  update(id: string, input: ProductInput): Promise<Product | undefined>;
  /** False when there was none with this id. */
  delete(id: string): Promise<boolean>;
}

export class InMemoryProductRepository implements ProductRepository {
  readonly latencyMs: number;
  readonly #products: Map<string, Product>;
  #nextId: number;

  constructor(options: { latencyMs?: number; products?: Product[] } = {}) {
    this.latencyMs = options.latencyMs ?? 0;
    const products = options.products ?? (catalogue as Product[]);
    this.#products = new Map(products.map((p) => [p.id, { ...p }]));
    this.#nextId = Math.max(0, ...products.map((p) => Number(p.id) || 0)) + 1;
  }

  async ids(): Promise<string[]> {
    await this.#latency();
    return [...this.#products.keys()];
  }

  async get(id: string): Promise<Product | undefined> {
    await this.#latency();
    const product = this.#products.get(id);
    return product && { ...product };
  }

  async getMany(ids: string[]): Promise<Map<string, Product>> {
    await this.#latency();
    const found = new Map<string, Product>();
    for (const id of ids) {
      const product = this.#products.get(id);
      if (product) found.set(id, { ...product });
    }
    return found;
  }

  async create(input: ProductInput): Promise<Product> {
    await this.#latency();
    const product = { id: String(this.#nextId++), ...input };
    this.#products.set(product.id, product);
    return { ...product };
  }

  async update(id: string, input: ProductInput): Promise<Product | undefined> {
    await this.#latency();
    if (!this.#products.has(id)) return undefined;
    const product = { id, ...input };
    this.#products.set(id, product);
    return { ...product };
  }

  async delete(id: string): Promise<boolean> {
    await this.#latency();
    return this.#products.delete(id);
  }

  async #latency(): Promise<void> {
    if (this.latencyMs > 0) await sleep(this.latencyMs);
  }
}
