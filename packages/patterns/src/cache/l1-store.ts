/**
 * The in-process tier of the near cache: stored documents by full key, exactly as Redis returned them (so each hit
 * decodes its own copy and a caller mutating its value cannot change what others get), least recently used first
 * out. Bounded by entries and by bytes: a document counts 2 bytes per character of its key and its text (what a
 * JavaScript string may take in memory), and one larger than the whole budget is not kept.
 */
interface Stored {
  reply: string;
  bytes: number;
}

export class L1Store {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly #entries = new Map<string, Stored>();
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

  /** The stored reply of `key`, now the most recently used; undefined when not kept. */
  get(key: string): string | undefined {
    const stored = this.#entries.get(key);
    if (stored === undefined) return undefined;
    // Map order is insertion order: re-inserting makes it the most recently used.
    this.#entries.delete(key);
    this.#entries.set(key, stored);
    return stored.reply;
  }

  set(key: string, reply: string): void {
    this.delete(key);
    const bytes = 2 * (key.length + reply.length);
    if (bytes > this.maxBytes) return;
    this.#entries.set(key, { reply, bytes });
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
