/**
 * The in-process tier of the near cache: items by full key, bounded by entries and by bytes: the caller says what
 * an item weighs (the near cache counts 2 bytes per character of the key and of the stored document, what a
 * JavaScript string may take in memory), and one heavier than the whole budget is not kept.
 *
 * Eviction is second chance (CLOCK), the usual approximation of least recently used: a read only marks its item,
 * and eviction takes the oldest unmarked item, giving each marked one it passes a second chance (unmarked, to the
 * back of the line). Strict LRU order would move the item on every read (a Map delete and insert): that was the
 * largest cost of an L1 hit, for an order that matters only when something must go.
 */
interface Stored<T> {
  item: T;
  bytes: number;
  /** Read since it was kept or last given its second chance. */
  used: boolean;
}

export class L1Store<T> {
  readonly maxEntries: number;
  readonly maxBytes: number;
  /** Oldest first: Map order is insertion order. */
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

  /** The item of `key`, now marked as used; undefined when not kept. */
  get(key: string): T | undefined {
    const stored = this.#entries.get(key);
    if (stored === undefined) return undefined;
    stored.used = true;
    return stored.item;
  }

  set(key: string, item: T, bytes: number): void {
    this.delete(key);
    if (bytes > this.maxBytes) return;
    // Room first, so the new item is never the one evicted to make it.
    this.#makeRoom(bytes);
    this.#entries.set(key, { item, bytes, used: false });
    this.#bytes += bytes;
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

  /** Evicts until one more item of `bytes` fits; a marked item moves to the back once (the walk then reaches it). */
  #makeRoom(bytes: number): void {
    for (const [key, stored] of this.#entries) {
      if (this.#entries.size < this.maxEntries && this.#bytes + bytes <= this.maxBytes) return;
      this.#entries.delete(key);
      if (stored.used) {
        stored.used = false;
        this.#entries.set(key, stored);
      } else {
        this.#bytes -= stored.bytes;
      }
    }
  }
}
