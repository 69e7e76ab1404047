/**
 * The in-process tier of the near cache: items by full key, least recently used first out. Bounded by entries and
 * by bytes: the caller says what an item weighs (the near cache counts 2 bytes per character of the key and of the
 * stored document, what a JavaScript string may take in memory), and one heavier than the whole budget is not kept.
 */
interface Stored<T> {
  item: T;
  bytes: number;
}

export class L1Store<T> {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly #entries = new Map<string, Stored<T>>();
  #bytes = 0;

  constructor(maxEntries: number, maxBytes: number) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The item of `key`, now the most recently used; undefined when not kept. */
  get(key: string): T | undefined {
    const stored = this.#entries.get(key);
    if (stored === undefined) return undefined;
    // Map order is insertion order: re-inserting makes it the most recently used.
    this.#entries.delete(key);
    this.#entries.set(key, stored);
    return stored.item;
  }

  set(key: string, item: T, bytes: number): void {
    this.delete(key);
    if (bytes > this.maxBytes) return;
    this.#entries.set(key, { item, bytes });
    this.#bytes += bytes;
    for (const [oldest, stored] of this.#entries) {
      if (this.#entries.size <= this.maxEntries && this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= stored.bytes;
    }
  }

  delete(key: string): void {
    const stored = this.#entries.get(key);
    if (stored === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= stored.bytes;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
