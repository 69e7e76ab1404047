/**
 * A get-or-compute cache on Redis with XFetch stampede protection.
 *
 * - A read answers from Redis when the value is fresh (`HIT`). XFetch may decide that this reader refreshes the
 *   value early: it still gets the cached value at once, and the recomputation runs in the background. The reads
 *   of one event-loop turn are written to the socket together, in one system call (`../write-coalescing.ts`).
 * - A missing or expired value is computed by the origin (`MISS`); concurrent misses for one key in this process
 *   share one origin call, and only the value they share is written.
 * - The Redis TTL is the logical TTL plus `staleGraceMs`: past the logical expiry the entry is no longer served as
 *   fresh, but it stays in Redis for the grace period so that, when the origin fails, the last value can be served
 *   (`STALE`, with the origin's error) instead of an error. After the grace, Redis drops it by itself.
 * - Redis trouble never fails a read: a Redis error or timeout counts in `redisErrors` and the origin answers. A miss
 *   answers as soon as the origin has: the write of the new value to Redis runs after it, in the background. So a
 *   miss while Redis does not answer takes the read's deadline (`timeoutMs`, noticed one event-loop turn later, so
 *   that a reply already received during a stall still wins: deadlines.ts) plus the origin's own time.
 * - The origin's "not found" (`undefined`) is cached only with `notFoundTtlMs` > 0, for that long (no stale grace).
 * - A computed value whose stored document is over `maxValueBytes` (100 KB by default) is answered but not cached:
 *   its result carries the CacheValueTooLargeError, and `oversize` counts it. The size limit never fails a read.
 * - `set`, `has` and `delete` have no origin to fall back on: they reject when Redis fails or times out, and `set`
 *   rejects a value over the size limit.
 *
 * - With the `l1` option, a near cache in this process answers repeated reads without asking Redis, and drops each
 *   value as soon as Redis reports its key modified by anyone (`near-cache.ts`). A write through this cache drops
 *   its own copy at once; other processes' copies are dropped by Redis's invalidation message, so until it arrives
 *   (well under a millisecond on one host, measured by the benchmark) they may still answer the old value.
 *
 * Keys are `{namespace}:{key}`, e.g. `cache:product:42`. Concurrent recomputations are shared through
 * `coalescing.ts`; options and their defaults are in `options.ts`.
 */

import { Cluster } from 'ioredis';
import { probeCapabilities } from '../capabilities.ts';
import { type Command, command, orThrow, sendBatch, sendTransaction } from '../cluster/batch.ts';
import { type RedisClient, redactClientError } from '../connection.ts';
import { WriteCoalescer } from '../write-coalescing.ts';
import { Recomputations } from './coalescing.ts';
import { type CacheCodec, type CacheCodecName, chooseCodec, codecNamed, stringEnvelopeCodec } from './codec.ts';
import { Deadlines } from './deadlines.ts';
import type { CacheEntry } from './entry.ts';
import { CacheValueTooLargeError } from './errors.ts';
import { NearCache } from './near-cache.ts';
import {
  CACHE_DEFAULTS,
  type CacheOptions,
  type CacheTtlOptions,
  l1Options,
  numericOptions,
  ttlOf,
} from './options.ts';
import { type CacheStats, emptyStats } from './stats.ts';
import { defaultRandom, type RandomSource, shouldRecomputeEarly } from './xfetch.ts';

export type CacheStatus = 'HIT' | 'MISS' | 'STALE';

export interface CacheResult<V> {
  /** Undefined when the origin had nothing for the key (cached only with `notFoundTtlMs`). */
  value: V | undefined;
  status: CacheStatus;
  /**
   * For `STALE`: the origin's error that made the cache serve an expired value. For a `MISS` whose value could not
   * be cached: the CacheValueTooLargeError that says why (the value is still the origin's answer).
   */
  error?: Error;
}

const HIT = 0;
const REFRESH_EARLY = 1;
const MISS = 2;
type Freshness = typeof HIT | typeof REFRESH_EARLY | typeof MISS;

interface Computed<V> {
  value: V | undefined;
  deltaMs: number;
}

/** What a recomputation answers its callers: the value, and why it was not cached when it was too large. */
interface Recomputed<V> {
  value: V | undefined;
  uncached?: CacheValueTooLargeError;
}

/** Built by `createCache(client, options)`; exported as a type only. */
export class Cache {
  readonly client: RedisClient;
  /** How entries are stored: `json` documents or the `string envelope`. */
  readonly codec: CacheCodecName;
  readonly namespace: string;
  readonly ttlMs: number;
  readonly staleGraceMs: number;
  readonly beta: number;
  readonly maxValueBytes: number;
  readonly timeoutMs: number;
  readonly notFoundTtlMs: number;
  readonly #codec: CacheCodec;
  readonly #random: RandomSource;
  readonly #now: () => number;
  readonly #onRedisError: (error: Error) => void;
  readonly #stats = emptyStats();
  readonly #deadlines: Deadlines;
  /** The hit path's reads, written together per event-loop turn. */
  readonly #sends: WriteCoalescer;
  readonly #recomputations: Recomputations;
  /** Writes of computed values still running in the background (for `idle`). */
  readonly #writes = new Set<Promise<void>>();
  /** The near cache, when the `l1` option is on. */
  readonly #l1: NearCache | undefined;

  constructor(client: RedisClient, codec: CacheCodec, options: CacheOptions) {
    const { ttlMs, staleGraceMs, beta, maxValueBytes, timeoutMs, notFoundTtlMs } = numericOptions(options);
    this.client = client;
    this.#codec = codec;
    this.codec = codec.name;
    this.namespace = options.namespace ?? CACHE_DEFAULTS.namespace;
    this.ttlMs = ttlMs;
    this.staleGraceMs = staleGraceMs;
    this.beta = beta;
    this.maxValueBytes = maxValueBytes;
    this.timeoutMs = timeoutMs;
    this.notFoundTtlMs = notFoundTtlMs;
    this.#deadlines = new Deadlines(timeoutMs);
    this.#sends = new WriteCoalescer(client);
    this.#recomputations = new Recomputations(timeoutMs);
    this.#random = options.random ?? defaultRandom;
    this.#now = options.now ?? Date.now;
    this.#onRedisError = options.onRedisError ?? (() => {});
    const l1 = l1Options(options.l1);
    this.#l1 =
      l1 &&
      new NearCache(
        client,
        { ...l1, mode: l1.tracking, prefix: `${this.namespace}:`, timeoutMs, decode: (reply) => codec.decode(reply) },
        // Reported, not counted in redisErrors: no read failed (l1Flushes counts these).
        (error) => this.#onRedisError(redactClientError(client, error)),
      );
  }

  /** The near cache, for `createCache` to start and for tests; undefined when the `l1` option is off. */
  get nearCache(): NearCache | undefined {
    return this.#l1;
  }

  /** The Redis key for a cache key: `product:42` → `cache:product:42`. */
  key(key: string): string {
    return `${this.namespace}:${key}`;
  }

  /** A snapshot of the counters. */
  stats(): CacheStats {
    const l1 = this.#l1?.counters;
    return l1 ? { ...this.#stats, l1Invalidations: l1.invalidations, l1Flushes: l1.flushes } : { ...this.#stats };
  }

  /**
   * The cached value of `key`, or `compute()`'s (then cached; `undefined` means "not found"). One Redis round trip on
   * a hit.
   */
  getOrCompute<V>(
    key: string,
    compute: () => Promise<V | undefined>,
    options?: CacheTtlOptions,
  ): Promise<CacheResult<V>> {
    const full = this.key(key);
    const readAt = this.#recomputations.readStarted();
    // No async/await: the hit path is measured against a bare GET, and every promise counts.
    if (this.#l1) {
      // An L1 entry is answered as Redis's would be (an expired one is a miss, its value kept for stale-if-error).
      const entry = this.#l1.lookup(full) as CacheEntry<V> | undefined;
      if (entry) {
        try {
          return Promise.resolve(this.#answer(full, entry, readAt, compute, options, true));
        } catch (error) {
          return Promise.reject(error as Error);
        }
      }
    }
    return new Promise<CacheResult<V>>((resolve, reject) => {
      // One handler takes the reply and the Redis error alike (`#decode` turns an error into a miss), and the
      // deadline's own wait (deadlines.ts) rather than `bound`, which would add a promise per read.
      const settle = (reply: unknown) => {
        try {
          resolve(
            this.#answer(full, this.#decode(reply) as CacheEntry<V> | undefined, readAt, compute, options, false),
          );
        } catch (error) {
          reject(error as Error);
        }
      };
      // Written with the other commands of this event-loop turn, in one system call (../write-coalescing.ts); the
      // deadline starts with the write.
      this.#sends.add(() => {
        const wait = this.#deadlines.queue.start(() => settle(this.#deadlines.timeoutError()));
        let read: Promise<unknown>;
        try {
          read = this.#readOne(full);
        } catch (error) {
          read = Promise.reject(error as Error);
        }
        read.then(
          (reply) => wait.settle() && settle(reply),
          (error: unknown) => wait.settle() && settle(error),
        );
      });
    });
  }

  /** What `getOrCompute` answers for the entry it read (from L1 when `near`): a hit, or a (shared) recomputation. */
  #answer<V>(
    full: string,
    entry: CacheEntry<V> | undefined,
    readAt: number,
    compute: () => Promise<V | undefined>,
    options: CacheTtlOptions | undefined,
    near: boolean,
  ): CacheResult<V> | Promise<CacheResult<V>> {
    const fresh = this.#fresh(full, entry, readAt);
    if (near && fresh !== MISS) this.#stats.l1Hits++;
    if (fresh === HIT) return { value: (entry as CacheEntry<V>).value, status: 'HIT' };
    const recomputed = this.#track<V>(full, ttlOf(options, this.ttlMs), readAt, () => this.#timed(compute));
    if (fresh === MISS) return this.#miss(entry, recomputed);
    this.#inBackground([recomputed]);
    return { value: (entry as CacheEntry<V>).value, status: 'HIT' };
  }

  /**
   * Many keys at once: one Redis round trip per server for all of them (grouped by node on a cluster), then one
   * `load(missing)` call for the keys that were missing or expired, and one background `load(keys)` for those
   * XFetch refreshes early. The answer has every distinct key; keys `load` leaves out are not found (value
   * `undefined`, cached only with `notFoundTtlMs`).
   */
  async getMany<V>(
    keys: string[],
    load: (keys: string[]) => Promise<Map<string, V>>,
    options?: CacheTtlOptions,
  ): Promise<Map<string, CacheResult<V>>> {
    const readAt = this.#recomputations.readStarted();
    const fulls = keys.map((key) => this.key(key));
    const entries: (CacheEntry<V> | undefined)[] = fulls.map((full) => (this.#l1 ? this.#fromL1<V>(full) : undefined));
    const near = entries.map((entry) => entry !== undefined);
    await this.#readMissing(fulls, entries);
    const ttlMs = ttlOf(options, this.ttlMs);
    const results: (CacheResult<V> | Promise<CacheResult<V>> | undefined)[] = [];
    const early: string[] = [];
    const missing: number[] = [];
    keys.forEach((key, i) => {
      const entry = entries[i];
      const fresh = this.#fresh(fulls[i] as string, entry, readAt);
      if (near[i] && fresh !== MISS) this.#stats.l1Hits++;
      if (fresh === MISS) missing.push(i);
      else results[i] = { value: (entry as CacheEntry<V>).value, status: 'HIT' };
      if (fresh === REFRESH_EARLY) early.push(key);
    });
    this.#inBackground(this.#loadMany(early, load, ttlMs, readAt));
    const loads = this.#loadMany(
      missing.map((i) => keys[i] as string),
      load,
      ttlMs,
      readAt,
    );
    missing.forEach((keyIndex, j) => {
      results[keyIndex] = this.#miss(entries[keyIndex], loads[j] as Promise<Recomputed<V>>);
    });
    // Hits are values, misses promises: Promise.all takes both.
    // eslint-disable-next-line @typescript-eslint/await-thenable
    const answered = await Promise.all(results);
    return new Map(keys.map((key, i) => [key, answered[i] as CacheResult<V>]));
  }

  /**
   * Stores `value` as the fresh value of `key` for `ttlMs` (default the cache's), replacing whatever is cached, and
   * stops this process's running recomputations of it from writing over it. XFetch never refreshes such a value
   * early (its compute time is unknown: 0). Rejects when `value` is undefined (the cache's "not found"), over
   * `maxValueBytes`, or when Redis fails or times out.
   */
  async set<V>(key: string, value: V, options?: CacheTtlOptions): Promise<void> {
    if (value === undefined) throw new TypeError(`cache.set(${key}) needs a value: undefined means "not found"`);
    const ttlMs = ttlOf(options, this.ttlMs);
    const full = this.key(key);
    this.#recomputations.forget(full);
    const payload = this.#encode(full, { value, deltaMs: 0, expiresAt: this.#now() + ttlMs });
    this.#l1?.invalidate(full);
    await this.#write(full, payload, ttlMs + this.staleGraceMs)
      .catch((error: unknown) => {
        throw new Error(`Could not cache ${full}: ${(error as Error).message}`, { cause: error });
      })
      // Again once written: a read in flight until then may have got the old value, and must not keep it.
      .finally(() => this.#l1?.invalidate(full));
  }

  /**
   * Whether `key` holds a fresh value (the next read would be a hit, unless XFetch picks it to refresh early). An
   * expired value kept for the stale grace does not count. One read of the entry; rejects when Redis fails or
   * times out.
   */
  async has(key: string): Promise<boolean> {
    const full = this.key(key);
    this.#sends.flush();
    const reply = await this.#deadlines.bound(this.#readOne(full)).catch((error: unknown) => {
      const redacted = this.#redisError(error);
      throw new Error(`Could not read ${full}: ${redacted.message}`, { cause: redacted });
    });
    const entry = this.#codec.decode(reply);
    return entry !== undefined && entry.value !== undefined && this.#now() < entry.expiresAt;
  }

  /**
   * Deletes keys from Redis (one round trip per server) and stops this process's running recomputations of
   * them from writing what they started computing before the change. Call it after every write to the origin,
   * for the item and for every list that contains it. Answers how many of the keys existed. Rejects when Redis
   * cannot be reached: the entries then stay until their TTL ends, and the caller should say so.
   */
  async delete(...keys: string[]): Promise<number> {
    const fulls = keys.map((key) => this.key(key));
    for (const full of fulls) {
      this.#recomputations.forget(full);
      this.#l1?.invalidate(full);
    }
    this.#sends.flush();
    const replies = await this.#deadlines
      .bound(
        sendBatch(
          this.client,
          fulls.map((full) => command('UNLINK', full)),
        ),
      )
      .catch((error: unknown) => [error]);
    // Again once written: a read in flight until then may have got the old value, and must not keep it (Redis's own
    // invalidation follows, but this process does not wait for it).
    for (const full of fulls) this.#l1?.invalidate(full);
    const failed = replies.find((reply) => reply instanceof Error);
    if (failed) {
      const error = this.#redisError(failed);
      throw new Error(
        `Could not delete ${fulls.join(', ')}: ${error.message}. They expire by their TTL (at most ${this.ttlMs + this.staleGraceMs} ms).`,
        { cause: error },
      );
    }
    return replies.reduce((deleted: number, reply) => deleted + Number(reply), 0);
  }

  /**
   * Stops the near cache (its connections), after waiting for running recomputations; the cache then reads Redis for
   * every request. Does not close `client`, which belongs to the caller. A no-op without the `l1` option.
   */
  async close(): Promise<void> {
    await this.idle();
    this.#l1?.close();
  }

  /**
   * Resolves when no recomputation runs in this process (background refreshes and writes included): for tests and
   * shutdown.
   */
  async idle(): Promise<void> {
    await this.#recomputations.idle();
    while (this.#writes.size) await Promise.allSettled([...this.#writes]);
  }

  /** Whether an entry is a hit, a hit that XFetch picks this reader to refresh early, or a miss. */
  #fresh(full: string, entry: CacheEntry | undefined, readAt: number): Freshness {
    const now = this.#now();
    if (!entry || now >= entry.expiresAt) return MISS;
    this.#stats.hits++;
    const { deltaMs, expiresAt } = entry;
    // The draw first: it is almost always "not yet", and then the in-flight maps need no lookup.
    if (
      !shouldRecomputeEarly({ now, deltaMs, expiresAt, beta: this.beta, random: this.#random }) ||
      this.#recomputations.shared(full, readAt)
    ) {
      return HIT;
    }
    this.#stats.earlyRefreshes++;
    return REFRESH_EARLY;
  }

  /** An early refresh runs after the reader got its still-fresh value; a failure only counts in originErrors. */
  #inBackground(refreshes: Promise<unknown>[]): void {
    for (const refresh of refreshes) refresh.catch(() => {});
  }

  /**
   * A miss's answer: the (shared) recomputation, or the expired value while the grace lasts if the origin failed (a
   * cached "not found" has no grace).
   */
  async #miss<V>(entry: CacheEntry<V> | undefined, computed: Promise<Recomputed<V>>): Promise<CacheResult<V>> {
    this.#stats.misses++;
    try {
      const { value, uncached } = await computed;
      return uncached ? { value, status: 'MISS', error: uncached } : { value, status: 'MISS' };
    } catch (error) {
      const usable = entry && entry.value !== undefined && this.#now() < entry.expiresAt + this.staleGraceMs;
      if (!usable) throw error;
      this.#stats.stale++;
      return { value: entry.value, status: 'STALE', error: error as Error };
    }
  }

  /** One origin call for those of `keys` not already being recomputed here; a shared promise per key. */
  #loadMany<V>(
    keys: string[],
    load: (keys: string[]) => Promise<Map<string, V>>,
    ttlMs: number,
    readAt: number,
  ): Promise<Recomputed<V>>[] {
    if (keys.length === 0) return [];
    const needed = [...new Set(keys.filter((key) => !this.#recomputations.shared(this.key(key), readAt)))];
    let batch: Promise<Computed<Map<string, V>>> | undefined;
    return keys.map((key) =>
      this.#track(this.key(key), ttlMs, readAt, async () => {
        batch ??= this.#timed(() => load(needed));
        const { value, deltaMs } = await batch;
        return { value: value?.get(key), deltaMs };
      }),
    );
  }

  async #timed<T>(compute: () => Promise<T | undefined>): Promise<Computed<T>> {
    this.#stats.originCalls++;
    const started = performance.now();
    try {
      const value = await compute();
      return { value, deltaMs: performance.now() - started };
    } catch (error) {
      this.#stats.originErrors++;
      throw error;
    }
  }

  /**
   * Runs `produce` once per key in this process: a caller while it runs, or one that read Redis before it finished,
   * gets the same promise. Callers get the value as soon as it is computed; its write to Redis runs after, in the
   * background, and only if the key was not deleted or set meanwhile. A value that cannot be serialised fails the
   * call; one too large to store is answered uncached; a Redis error on the write is counted and reported.
   */
  #track<V>(full: string, ttlMs: number, readAt: number, produce: () => Promise<Computed<V>>): Promise<Recomputed<V>> {
    const shared = this.#recomputations.shared(full, readAt);
    if (shared) {
      this.#stats.coalesced++;
      return shared as Promise<Recomputed<V>>;
    }
    let written: Promise<void> | undefined;
    const promise: Promise<Recomputed<V>> = produce().then(({ value, deltaMs }) => {
      if (!this.#recomputations.mayWrite(full, promise, readAt)) return { value };
      if (value === undefined && this.notFoundTtlMs === 0) return { value };
      // "Not found" is kept `notFoundTtlMs`, without stale grace; a value its TTL plus the grace.
      const [freshMs, redisTtlMs] =
        value === undefined ? [this.notFoundTtlMs, this.notFoundTtlMs] : [ttlMs, ttlMs + this.staleGraceMs];
      let payload: string;
      try {
        payload = this.#encode(full, { value, deltaMs, expiresAt: this.#now() + freshMs });
      } catch (error) {
        if (error instanceof CacheValueTooLargeError) return { value, uncached: error };
        throw error;
      }
      written = this.#inWrites(
        this.#write(full, payload, redisTtlMs)
          .catch(() => {})
          .finally(() => this.#l1?.invalidate(full)),
      );
      return { value };
    });
    // The recomputation stays shared until its write is over, so a reader that still finds the key missing shares it.
    const done = promise.then(
      () => written,
      () => undefined,
    );
    this.#recomputations.start(full, promise, done);
    return promise;
  }

  #inWrites(write: Promise<void>): Promise<void> {
    this.#writes.add(write);
    return write.finally(() => this.#writes.delete(write));
  }

  /** Fills the `entries` of `fulls` that L1 did not have from Redis, in one round trip per server. */
  async #readMissing(fulls: string[], entries: (CacheEntry | undefined)[]): Promise<void> {
    const missing = fulls.flatMap((_, i) => (entries[i] === undefined ? [i] : []));
    if (missing.length === 0) return;
    const commands = missing.map((i) => this.#codec.readCommand(fulls[i] as string));
    this.#sends.flush();
    const replies = await this.#deadlines
      .bound(this.#l1 ? this.#l1.read(commands, this.#readL2) : this.#readL2(commands))
      .catch((error: unknown) => commands.map(() => error));
    missing.forEach((entryIndex, j) => {
      entries[entryIndex] = this.#decode(replies[j]);
    });
  }

  /** Read commands through the cache's own client: one round trip per server. */
  readonly #readL2 = (commands: Command[]): Promise<unknown[]> => sendBatch(this.client, commands);

  /** The entry of `full` in the near cache, or undefined to ask Redis. */
  #fromL1<V>(full: string): CacheEntry<V> | undefined {
    return (this.#l1 as NearCache).lookup(full) as CacheEntry<V> | undefined;
  }

  /**
   * The hit path's read, undecoded and unbounded (it rejects on a Redis error; callers add the deadline): one
   * command, no batching machinery.
   */
  #readOne(full: string): Promise<unknown> {
    let reply: Promise<unknown>;
    if (this.#l1) {
      reply = this.#l1.read([this.#codec.readCommand(full)], this.#readL2).then(([answer]) => answer);
    } else if (this.#codec === stringEnvelopeCodec) {
      // ioredis' own `get` skips the generic `call` dispatch: measurably faster on the hit path. A cluster client
      // routes GET by its key and follows MOVED/ASK itself.
      reply = this.client.get(full);
    } else if (this.client instanceof Cluster) {
      // ioredis does not know where JSON.GET's key is, so a cluster goes through the per-node router.
      reply = sendBatch(this.client, [this.#codec.readCommand(full)]).then(([answer]) => answer);
    } else {
      const read = this.#codec.readCommand(full);
      reply = this.client.call(read.name, ...read.args);
    }
    return reply;
  }

  #decode(reply: unknown): CacheEntry | undefined {
    if (!(reply instanceof Error)) return this.#codec.decode(reply);
    this.#redisError(reply);
    return undefined;
  }

  /** The stored document of an entry; throws CacheValueTooLargeError over `maxValueBytes`. */
  #encode(full: string, entry: CacheEntry): string {
    const payload = this.#codec.encode(entry);
    const bytes = Buffer.byteLength(payload);
    if (bytes > this.maxValueBytes) {
      this.#stats.oversize++;
      throw new CacheValueTooLargeError(full, bytes, this.maxValueBytes);
    }
    return payload;
  }

  /** Stores a document for `redisTtlMs`; rejects with the (counted, reported, redacted) Redis error. */
  async #write(full: string, payload: string, redisTtlMs: number): Promise<void> {
    const commands = this.#codec.writeCommands(full, payload, Math.ceil(redisTtlMs));
    // The hit path's reads queued in this turn first, so this cache's commands reach the server in call order.
    this.#sends.flush();
    // One key per write, so a MULTI stays in one slot on a cluster.
    const sent =
      commands.length > 1 ? sendTransaction(this.client, commands) : sendBatch(this.client, commands).then(orThrow);
    try {
      await this.#deadlines.bound(sent);
    } catch (error) {
      throw this.#redisError(error);
    }
  }

  #redisError(error: unknown): Error {
    this.#stats.redisErrors++;
    const redacted = redactClientError(this.client, error);
    this.#onRedisError(redacted);
    return redacted;
  }
}

/**
 * A cache on `client`. Its codec is `options.codec`, or else chosen by probing the server once (JSON documents where
 * it has JSON, else the string envelope). Throws a RangeError for an option out of range.
 */
export async function createCache(client: RedisClient, options: CacheOptions = {}): Promise<Cache> {
  const codec = options.codec === undefined ? chooseCodec(await probeCapabilities(client)) : codecNamed(options.codec);
  const cache = new Cache(client, codec, options);
  // Waits for the near cache's sessions (each bounded by 4 × timeoutMs); one that failed retries in the background.
  await cache.nearCache?.start();
  return cache;
}
