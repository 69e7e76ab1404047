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
  /**
   * Start at a random cursor instead of 0 (a random sample's starting point): SCAN goes on to the end of the table,
   * then from 0 up to where it started.
   */
  randomStart?: boolean;
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
  const start = options.randomStart ? randomCursor() : 0n;
  // SCAN visits buckets in the order of their reversed bits: a cursor's place in the walk is its reversed value.
  const startPlace = reverse64(start);
  // From cursor 0 the walk ends at the next 0; from elsewhere it wraps once, to end where it started.
  let wrapped = start === 0n;
  // The call that ends a wrapped walk also visits buckets past the start: the first calls' keys are not repeated.
  const firstKeys = new Set<ByteString>();
  let calls = 0;
  let pending = scan(String(start));
  for (;;) {
    const [cursor, keys] = await pending;
    const end = cursor === '0' ? wrapped : wrapped && start !== 0n && reverse64(BigInt(cursor)) >= startPlace;
    if (!end) {
      if (cursor === '0') wrapped = true;
      pending = scan(cursor);
      // The caller may stop early (sample size reached); a late failure of the prefetch is then nobody's business.
      pending.catch(() => {});
    }
    // The last call's keys are checked against the first calls' before (never after) they are noted: a walk that
    // ends within its first calls must not drop its own keys.
    const fresh = end && start !== 0n ? keys.filter((key) => !firstKeys.has(key)) : keys;
    if (!end && start !== 0n && calls++ < FIRST_CALLS_KEPT) for (const key of keys) firstKeys.add(key);
    if (fresh.length) yield fresh;
    if (end) return;
  }
}

/** Calls of a walk from a random cursor whose keys are kept to drop them from the call that ends it. */
const FIRST_CALLS_KEPT = 2;

function randomCursor(): bigint {
  const [high, low] = crypto.getRandomValues(new Uint32Array(2)) as unknown as [number, number];
  return (BigInt(high) << 32n) | BigInt(low);
}

function reverse64(value: bigint): bigint {
  let out = 0n;
  let v = value;
  for (let i = 0; i < 64; i++) {
    out = (out << 1n) | (v & 1n);
    v >>= 1n;
  }
  return out;
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

/** Hands out the keys of a list a few at a time. */
export function listSource(keys: readonly ByteString[]): (n: number) => Promise<ByteString[]> {
  let at = 0;
  return async (n) => {
    const slice = keys.slice(at, at + n);
    at += slice.length;
    return slice;
  };
}
