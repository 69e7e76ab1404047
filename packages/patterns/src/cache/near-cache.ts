/**
 * The near cache (L1): stored documents kept in this process and dropped the moment Redis says their key changed.
 *
 * - Reads that miss L1 go through a tracking session's reader connection (one session per server; on a cluster one
 *   per master, chosen by the key's slot), so the server remembers them and later sends the key on the session's
 *   invalidation connection when anyone (any process, any client) modifies it, deletes it or lets it expire.
 * - The race the Redis client-side caching docs describe: an invalidation can arrive after the server answered a
 *   read but before this process handled the answer. Each read is registered as pending before it is sent; an
 *   invalidation of its key marks it, and a marked read's answer is returned to its caller but never stored.
 * - A session that ends (a connection closed, a PING unanswered within the deadline, the server restarted) may have
 *   missed invalidations: L1 is emptied at once, reads still in flight through it are not stored, and a new session
 *   starts after a backoff (50 ms doubling to 2 s). Meanwhile reads go to Redis through the cache's own client and
 *   nothing is stored in L1.
 * - What it keeps: each document decoded once, when it is read from Redis. A hit answers a copy of its value (plain
 *   objects and arrays copied, strings, numbers, booleans and null shared, as they cannot change), so each caller
 *   may change what it got without touching L1 or another caller's value: the copy is what the default needs for
 *   correctness, and costs several times less than decoding the document again. With `sharedValues` the entry is
 *   deep-frozen and handed to every caller as is (no copy at all).
 * - Keys are JavaScript strings sent as UTF-8; invalidations arrive as bytes and are decoded the same way. A key
 *   with a lone surrogate is stored under its well-formed form, which is the same UTF-8 bytes, so it is the same key.
 */
import { Cluster, type Redis } from 'ioredis';
import type { Command } from '../cluster/batch.ts';
import { keySlot } from '../cluster/key-slot.ts';
import { masters, nodeAddress } from '../cluster/nodes.ts';
import type { RedisClient } from '../connection.ts';
import type { CacheEntry } from './entry.ts';
import { L1Store } from './l1-store.ts';
import { type TrackingOptions, TrackingSession } from './tracking-session.ts';

export interface NearCacheOptions extends TrackingOptions {
  maxEntries: number;
  maxBytes: number;
  sharedValues: boolean;
  /** The entry in a read command's reply (the cache's codec); undefined for anything else. */
  decode: (reply: unknown) => CacheEntry | undefined;
}

/** Counters the cache merges into its own stats. */
export interface NearCacheCounters {
  /** Keys Redis told this process to drop. */
  invalidations: number;
  /** Times L1 was emptied because a tracking session ended (or the server flushed its keys). */
  flushes: number;
}

/** How a hit copies a kept value: not at all (immutable, or shared and frozen), one level, or all the way down. */
const SHARED = 0;
const FLAT_OBJECT = 1;
const FLAT_ARRAY = 2;
const DEEP = 3;
type Copy = typeof SHARED | typeof FLAT_OBJECT | typeof FLAT_ARRAY | typeof DEEP;

/** An entry in L1 and how each hit copies its value, decided once when it is kept. */
interface Kept {
  entry: CacheEntry;
  copy: Copy;
}

interface PendingRead {
  invalidated: boolean;
}

const REDIRECTED = /^(MOVED|ASK) /;
const MAX_BACKOFF_MS = 2000;

/** One server's current session and the restart schedule. */
interface Node {
  source: Redis;
  session: TrackingSession | undefined;
  backoffMs: number;
  restart: NodeJS.Timeout | undefined;
  /** Set-up attempts are failing (reported once until one succeeds). */
  failing: boolean;
}

export class NearCache {
  readonly counters: NearCacheCounters = { invalidations: 0, flushes: 0 };
  readonly #client: RedisClient;
  readonly #options: NearCacheOptions;
  /** Decoded entries (with `sharedValues` deep-frozen), weighed by their stored document. */
  readonly #store: L1Store<Kept>;
  readonly #pending = new Map<string, Set<PendingRead>>();
  readonly #nodes = new Map<string, Node>();
  readonly #onError: (error: unknown) => void;
  #closed = false;

  constructor(client: RedisClient, options: NearCacheOptions, onError: (error: unknown) => void) {
    this.#client = client;
    this.#options = options;
    this.#store = new L1Store(options.maxEntries, options.maxBytes);
    this.#onError = onError;
  }

  get size(): number {
    return this.#store.size;
  }

  get bytes(): number {
    return this.#store.bytes;
  }

  /** Starts a session per master; resolves when each is set up or has failed (it then retries in the background). */
  async start(): Promise<void> {
    await Promise.all(masters(this.#client).map((node) => this.#startSession(this.#node(node))));
  }

  /** True while every known server has a live session (for tests and health checks). */
  get ready(): boolean {
    return this.#nodes.size > 0 && [...this.#nodes.values()].every((node) => node.session?.ready === true);
  }

  /** The reader connection of the live session that serves `full`, if any (for tests and diagnostics). */
  readerOf(full: string): Redis | undefined {
    return this.#sessionFor(full)?.reader;
  }

  /** The entry of `full`, if L1 has it: with a copy of its value, or with `sharedValues` the one frozen entry. */
  lookup(full: string): CacheEntry | undefined {
    const kept = this.#store.get(wellFormed(full));
    if (kept === undefined) return undefined;
    const { entry, copy } = kept;
    if (copy === SHARED) return entry;
    const value =
      copy === FLAT_OBJECT
        ? { ...(entry.value as object) }
        : copy === FLAT_ARRAY
          ? (entry.value as unknown[]).slice()
          : copyJson(entry.value);
    return { value, deltaMs: entry.deltaMs, expiresAt: entry.expiresAt };
  }

  /** Drops `full` from L1 and keeps reads of it in flight from storing what they get. */
  invalidate(full: string): void {
    const key = wellFormed(full);
    this.#store.delete(key);
    const pending = this.#pending.get(key);
    if (pending) for (const read of pending) read.invalidated = true;
  }

  /**
   * The replies of `commands` (one key each, reads): through the tracking session of each key's server when it is
   * live, storing each reply in L1 unless its key was invalidated meanwhile; through `fallback` (the cache's own
   * client, nothing stored) for the others.
   */
  async read(commands: readonly Command[], fallback: (commands: Command[]) => Promise<unknown[]>): Promise<unknown[]> {
    const replies: unknown[] = new Array(commands.length);
    const bySession = new Map<TrackingSession, number[]>();
    const untracked: number[] = [];
    commands.forEach((cmd, i) => {
      const session = this.#sessionFor(String(cmd.args[0]));
      if (!session) return untracked.push(i);
      const group = bySession.get(session);
      if (group) group.push(i);
      else bySession.set(session, [i]);
    });
    const reads = [...bySession].map(async ([session, indexes]) => {
      const answers = await this.#readTracked(
        session,
        indexes.map((i) => commands[i] as Command),
      );
      indexes.forEach((commandIndex, j) => {
        const answer = answers[j];
        // The slot moved to another server: read it through the cluster client, which follows the redirect.
        if (answer instanceof Error && REDIRECTED.test(answer.message)) untracked.push(commandIndex);
        else replies[commandIndex] = answer;
      });
    });
    await Promise.all(reads);
    if (untracked.length) {
      const answers = await fallback(untracked.map((i) => commands[i] as Command));
      untracked.forEach((commandIndex, j) => {
        replies[commandIndex] = answers[j];
      });
    }
    return replies;
  }

  /** Ends every session and forgets everything; the cache no longer stores anything in L1. */
  close(): void {
    this.#closed = true;
    for (const node of this.#nodes.values()) {
      clearTimeout(node.restart);
      node.session?.end('closed');
    }
    this.#flush();
  }

  async #readTracked(session: TrackingSession, commands: Command[]): Promise<unknown[]> {
    const keys = commands.map((cmd) => wellFormed(String(cmd.args[0])));
    const marks = keys.map((key) => this.#markPending(key));
    try {
      const answers = await sendOn(session.reader, commands);
      answers.forEach((answer, i) => {
        const mark = marks[i] as PendingRead;
        if (!mark.invalidated && session.ready && typeof answer === 'string') this.#keep(keys[i] as string, answer);
      });
      return answers;
    } finally {
      keys.forEach((key, i) => this.#unmarkPending(key, marks[i] as PendingRead));
    }
  }

  /** Keeps the entry in `reply`; anything else (a key this cache did not write) is not kept. */
  #keep(key: string, reply: string): void {
    const entry = this.#options.decode(reply);
    if (entry === undefined) return;
    const kept: Kept = this.#options.sharedValues
      ? { entry: deepFreeze(entry), copy: SHARED }
      : { entry, copy: copyNeeded(entry.value) };
    this.#store.set(key, kept, 2 * (key.length + reply.length));
  }

  #markPending(key: string): PendingRead {
    const mark = { invalidated: false };
    const pending = this.#pending.get(key);
    if (pending) pending.add(mark);
    else this.#pending.set(key, new Set([mark]));
    return mark;
  }

  #unmarkPending(key: string, mark: PendingRead): void {
    const pending = this.#pending.get(key);
    if (!pending) return;
    pending.delete(mark);
    if (pending.size === 0) this.#pending.delete(key);
  }

  /** The live session of the server that holds `full`, or undefined (none yet, or between sessions). */
  #sessionFor(full: string): TrackingSession | undefined {
    const node =
      this.#client instanceof Cluster ? this.#clusterNode(this.#client, full) : this.#nodes.values().next().value;
    return node?.session?.ready ? node.session : undefined;
  }

  /** The master that serves `full`'s slot; a master not met yet (a failover, resharding) gets its session started. */
  #clusterNode(cluster: Cluster, full: string): Node | undefined {
    const address = cluster.slots[keySlot(full)]?.[0];
    if (address === undefined) return undefined;
    const node = this.#nodes.get(address);
    if (node || this.#closed) return node;
    const source = cluster.nodes('master').find((candidate) => nodeAddress(candidate) === address);
    if (source) void this.#startSession(this.#node(source));
    return undefined;
  }

  #node(source: Redis): Node {
    const address = nodeAddress(source);
    let node = this.#nodes.get(address);
    if (!node) {
      node = { source, session: undefined, backoffMs: 50, restart: undefined, failing: false };
      this.#nodes.set(address, node);
    }
    return node;
  }

  async #startSession(node: Node): Promise<void> {
    if (this.#closed || node.session?.over === false) return;
    const session = new TrackingSession(node.source, this.#options, {
      onInvalidate: (keys) => this.#invalidated(keys),
      onLost: (lost, reason) => this.#lost(node, lost, reason),
    });
    node.session = session;
    try {
      await session.start();
      node.backoffMs = 50;
      node.failing = false;
    } catch (error) {
      if (node.failing) return;
      node.failing = true;
      const address = nodeAddress(node.source);
      this.#onError(
        new Error(`near cache: could not set up invalidations from ${address}: ${(error as Error).message}`),
      );
    }
  }

  #invalidated(keys: Buffer[] | null): void {
    if (keys === null) {
      this.#flush();
      return;
    }
    for (const key of keys) {
      this.counters.invalidations++;
      this.invalidate(key.toString());
    }
  }

  #lost(node: Node, session: TrackingSession, reason: string): void {
    this.#flush();
    if (this.#closed || node.session !== session) return;
    const address = nodeAddress(node.source);
    if (session.wasReady)
      this.#onError(new Error(`near cache: invalidations from ${address} stopped (${reason}); L1 emptied`));
    if (this.#client instanceof Cluster && !masters(this.#client).some((master) => nodeAddress(master) === address)) {
      // No longer a master (failed over): its slots' new master gets a session when a read first needs it.
      this.#nodes.delete(address);
      return;
    }
    clearTimeout(node.restart);
    node.restart = setTimeout(() => {
      node.restart = undefined;
      void this.#startSession(node);
    }, node.backoffMs).unref();
    node.backoffMs = Math.min(node.backoffMs * 2, MAX_BACKOFF_MS);
  }

  /** Empties L1 and marks every read in flight, so none of them stores what it gets. */
  #flush(): void {
    this.counters.flushes++;
    this.#store.clear();
    for (const pending of this.#pending.values()) for (const read of pending) read.invalidated = true;
  }
}

/** Freezes a decoded JSON value and everything in it (plain objects and arrays only, as JSON makes). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * What copying `value` (decoded JSON) takes: nothing for a string, number, boolean or null; one level (a spread or
 * a slice, several times cheaper than a walk) for an object or array that holds none.
 */
function copyNeeded(value: unknown): Copy {
  if (typeof value !== 'object' || value === null) return SHARED;
  const array = Array.isArray(value);
  const nested = (array ? value : Object.values(value)).some((inner) => typeof inner === 'object' && inner !== null);
  return nested ? DEEP : array ? FLAT_ARRAY : FLAT_OBJECT;
}

/**
 * A copy of a decoded JSON value that shares nothing mutable with it: plain objects and arrays are copied, the
 * rest (strings, numbers, booleans, null) is immutable and shared. An own `__proto__` key (JSON.parse makes one) is
 * defined as a property, as JSON.parse does, rather than assigned, which would set the copy's prototype.
 */
function copyJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = copyJson(value[i]);
    return copy;
  }
  const copy: Record<string, unknown> = {};
  for (const key in value) {
    // Own keys only, as JSON.parse made them (an enumerable key someone added to Object.prototype is not one).
    if (!Object.hasOwn(value, key)) continue;
    const inner = copyJson((value as Record<string, unknown>)[key]);
    if (key === '__proto__') {
      Object.defineProperty(copy, key, { value: inner, enumerable: true, writable: true, configurable: true });
    } else {
      copy[key] = inner;
    }
  }
  return copy;
}

const LONE_SURROGATE = /\p{Cs}/u;

/** `key` as its UTF-8 bytes decode: a lone surrogate becomes U+FFFD, as it does on the way to Redis. */
function wellFormed(key: string): string {
  return LONE_SURROGATE.test(key) ? Buffer.from(key).toString() : key;
}

/** Sends read commands on one connection: one command alone, several in one pipeline. Errors are replies. */
async function sendOn(connection: Redis, commands: Command[]): Promise<unknown[]> {
  if (commands.length === 1) {
    const cmd = commands[0] as Command;
    return [await connection.call(cmd.name, ...cmd.args).catch((error: unknown) => error)];
  }
  const pipeline = connection.pipeline();
  for (const cmd of commands) pipeline.call(cmd.name, ...cmd.args);
  const results = (await pipeline.exec().catch((error: unknown) => commands.map(() => [error, null]))) ?? [];
  return commands.map((_, i) => {
    const [error, reply] = results[i] ?? [new Error('no reply')];
    return error ?? reply;
  });
}
