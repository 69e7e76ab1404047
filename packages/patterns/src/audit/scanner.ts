/**
 * SCAN over one node with a bounded COUNT (never KEYS): each call walks about COUNT buckets and returns, so the
 * server never blocks on the keyspace. Names come back as bytes (SCAN's Buffer replies) and are handed out as byte
 * strings (key-name.ts): a name that is not UTF-8 stays itself. The next SCAN is sent while the caller inspects.
 */
import type { Redis } from 'ioredis';
import { type ByteString, byteString } from './key-name.ts';

export interface ScanOptions {
  match: string;
  count: number;
  /** Waits for room under the ops/s cap before each SCAN. */
  beforeSend(ops: number): Promise<void>;
  /** The SCAN call within the command deadline. */
  deadline<T>(promise: Promise<T>, what: string): Promise<T>;
}

export async function* scanKeys(node: Redis, options: ScanOptions): AsyncGenerator<ByteString[]> {
  const scan = async (cursor: string): Promise<[string, ByteString[]]> => {
    await options.beforeSend(1);
    const call = node.scanBuffer(cursor, 'MATCH', options.match, 'COUNT', options.count);
    const [next, keys] = await options.deadline(call, 'SCAN');
    return [String(next), keys.map(byteString)];
  };
  let pending = scan('0');
  for (;;) {
    const [cursor, keys] = await pending;
    if (cursor !== '0') {
      pending = scan(cursor);
      // The caller may stop early (sample size reached); a late failure of the prefetch is then nobody's business.
      pending.catch(() => {});
    }
    if (keys.length) yield keys;
    if (cursor === '0') return;
  }
}

/** Hands out a node's scanned keys a few at a time, scanning on as needed, up to `quota` keys. */
export class KeySource {
  private readonly scan: AsyncGenerator<ByteString[]>;
  private readonly quota: number;
  private readonly buffer: ByteString[] = [];
  private taken = 0;
  private exhausted = false;
  private filling: Promise<void> | undefined;

  constructor(scan: AsyncGenerator<ByteString[]>, quota = Infinity) {
    this.scan = scan;
    this.quota = quota;
  }

  /** Up to `n` keys; none once the scan ended or the quota was handed out. */
  async take(n: number): Promise<ByteString[]> {
    const want = Math.max(0, Math.min(n, this.quota - this.taken));
    while (this.buffer.length < want && !this.exhausted) await this.fill();
    const keys = this.buffer.splice(0, want);
    this.taken += keys.length;
    return keys;
  }

  /** Whether the quota stopped the audit of this node before its scan ended. */
  get cutShort(): boolean {
    return this.taken >= this.quota && (this.buffer.length > 0 || !this.exhausted);
  }

  private fill(): Promise<void> {
    this.filling ??= this.scan
      .next()
      .then((next) => {
        if (next.done) this.exhausted = true;
        else this.buffer.push(...next.value);
      })
      .finally(() => {
        this.filling = undefined;
      });
    return this.filling;
  }
}
