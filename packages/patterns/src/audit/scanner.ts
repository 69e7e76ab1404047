/**
 * SCAN over one node with a bounded COUNT (never KEYS): each call walks about COUNT buckets and returns, so the
 * server never blocks on the keyspace. Names come back as bytes (SCAN's Buffer replies) and are yielded as byte
 * strings (key-name.ts): a name that is not UTF-8 stays itself. The next SCAN is sent while the caller inspects
 * the current batch.
 */
import type { Redis } from 'ioredis';
import { type ByteString, byteString } from './key-name.ts';

export interface ScanOptions {
  match: string;
  count: number;
  /** Waits for room under the ops/s cap before each SCAN. */
  beforeSend(ops: number): Promise<void>;
}

export async function* scanKeys(node: Redis, options: ScanOptions): AsyncGenerator<ByteString[]> {
  const scan = async (cursor: string): Promise<[string, ByteString[]]> => {
    await options.beforeSend(1);
    const [next, keys] = await node.scanBuffer(cursor, 'MATCH', options.match, 'COUNT', options.count);
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
