/**
 * An express-session store for the weeks of a PostgreSQL-to-Redis move: reads Redis first and falls back to the
 * connect-pg-simple table, writing a session found only there through to Redis with its remaining lifetime, so
 * sessions move lazily while the bulk copy runs. Saves and touches go to Redis only.
 *
 * The Redis side is the connect-redis store the app keeps after the cutover (node-redis client, its serializer),
 * so key format and TTL rules are the ones the app will live with: saves and touches are that store's own. That
 * store is the first argument: `createCutoverStore(redisStore, { legacy })`.
 *
 * Rules that keep a session from coming back (see moved-marker.ts):
 * - A session written to Redis from its row gets a moved marker until the row would expire. While it lives, the row
 *   never answers again: a key that ends early (saved with an expired cookie, a shorter maxAge, eviction) ends the
 *   session, as it would with connect-redis alone.
 * - A logout (`destroy`) ends the session in Redis first (marker and key, one script) and then deletes the row. With
 *   PostgreSQL down, the logout still succeeds: the marker keeps the row from answering, and the row delete is
 *   retried every `retryIntervalMs` until PostgreSQL answers (a rollback's `resetCutover` also applies it).
 * - Every lookup is bounded: one Redis read, at most one legacy query (with a deadline) and one script. A value in
 *   Redis express-session cannot load (`""`, `"null"`, invalid JSON, not an object) is reported and read as no
 *   session, never retried.
 *
 * The whole express-session Store API, each method with a callback or returning a promise: `get`, `set`, `touch`,
 * `destroy`, and the whole-store `length`, `ids`, `all`, `clear`. Those four walk every key under the prefix
 * (SCAN, `scanCount` a call) and the whole legacy table (1000 rows a query): operator tools, never a request path;
 * `all` holds every session in memory, as connect-redis' does. They count a session once, wherever it is: a row
 * counts while it has not moved and has not ended in Redis. `clear` deletes the keys, their markers and the rows.
 *
 * express-session is an optional peer of this package: it is loaded when the first cutover store is built, so
 * importing `@redis-agent-kit/patterns/session` for the copier or the session repository does not need it.
 */
import { createRequire } from 'node:module';
import type expressSession from 'express-session';
import type { SessionData, Store } from 'express-session';
import { withTimeout } from '../timeout.ts';
import { LegacySessionTable, type LegacyTableOptions, type SqlClient } from './legacy-table.ts';
import { END_SCRIPT, MARKER_NAMESPACE, MOVE_SCRIPT, markerKey, moveOutcome, scanPatterns } from './moved-marker.ts';
import { type NodeRedisCommands, NodeRedisScript, scanAll } from './node-redis.ts';
import { judgeRow } from './session-row.ts';

/** What the cutover store needs of a connect-redis `RedisStore`. */
export interface ConnectRedisStore extends Store {
  prefix: string;
  /** The node-redis client (`createClient()` or `createCluster()` from the `redis` package). */
  client: unknown;
  /** connect-redis' serializer (default JSON). */
  serializer?: { parse(text: string): unknown; stringify(value: unknown): string };
  /** connect-redis' SCAN COUNT for whole-store calls (default 100). */
  scanCount?: number;
}

export interface CutoverStoreOptions extends LegacyTableOptions {
  /** The legacy database the sessions move from (the pg.Pool connect-pg-simple used). */
  legacy: SqlClient;
  /** Deadline of each legacy query; PostgreSQL not answering in time counts as down. */
  legacyTimeoutMs?: number;
  /** How often row deletes postponed while PostgreSQL was down are tried again. */
  retryIntervalMs?: number;
  /** Row deletes kept waiting for PostgreSQL at most; beyond that the markers alone hold (see resetCutover). */
  maxPendingDeletes?: number;
  /** Where the store reports what it handled without failing the request (corrupt values, postponed deletes). */
  onWarning?: (message: string) => void;
}

export const CUTOVER_STORE_DEFAULTS = {
  legacyTimeoutMs: 2000,
  retryIntervalMs: 5000,
  maxPendingDeletes: 10_000,
  onWarning: (message: string) => console.warn(`[cutover-store] ${message}`),
} as const;

/**
 * How long a logout of a session that never moved keeps its row from being moved in by a lookup or a copy that
 * read the row just before (far longer than one legacy query's deadline or one copy batch).
 */
const END_GUARD_MS = 60_000;

/** Where the store found sessions since it started: once `fromLegacy` stops growing, the sessions have moved. */
export interface CutoverStats {
  fromRedis: number;
  fromLegacy: number;
  notFound: number;
  /** Values in Redis express-session cannot load, read as no session. */
  corrupt: number;
  /** Logouts whose row delete waits for PostgreSQL to answer again. */
  pendingLegacyDeletes: number;
}

type Callback<T> = (error: unknown, result?: T) => void;

/** An express-session store (`session({ store })`) that also counts where it found sessions. */
export interface CutoverStore extends Store {
  readonly stats: CutoverStats;
  get(sid: string, callback?: Callback<SessionData | null>): Promise<SessionData | null | undefined>;
  set(sid: string, session: SessionData, callback?: (error?: unknown) => void): Promise<null | undefined>;
  touch(sid: string, session: SessionData, callback?: (error?: unknown) => void): Promise<null | undefined>;
  destroy(sid: string, callback?: (error?: unknown) => void): Promise<null | undefined>;
  length(callback?: Callback<number>): Promise<number | undefined>;
  ids(callback?: Callback<string[]>): Promise<string[] | undefined>;
  all(callback?: Callback<SessionData[]>): Promise<SessionData[] | undefined>;
  clear(callback?: (error?: unknown) => void): Promise<null | undefined>;
}

/** Defined on first use, on the `Store` class of the express-session the app installed. */
let cutoverStoreClass: ReturnType<typeof defineCutoverStore> | undefined;

/** `redisStore`: the connect-redis store the app switches to after the cutover (`new RedisStore({ client, prefix })`). */
export function createCutoverStore(redisStore: ConnectRedisStore, options: CutoverStoreOptions): CutoverStore {
  cutoverStoreClass ??= defineCutoverStore(expressSessionStore());
  return new cutoverStoreClass(redisStore, options);
}

function expressSessionStore(): typeof Store {
  try {
    return (createRequire(import.meta.url)('express-session') as typeof expressSession).Store;
  } catch (error) {
    throw new Error(
      `createCutoverStore needs express-session, an optional peer dependency of @redis-agent-kit/patterns: npm install express-session (${(error as Error).message})`,
      { cause: error },
    );
  }
}

const MOVE = new NodeRedisScript(MOVE_SCRIPT);
const END = new NodeRedisScript(END_SCRIPT);
/** Rows read per query, and keys per round of parallel reads, in the whole-store calls. */
const WALK_BATCH = 1000;

/**
 * Settles `work` the way connect-redis does: with a callback, the callback gets the error or the result and the
 * promise resolves to what it returned (a callback that throws surfaces as an uncaught exception, as in any callback
 * API); without one, the promise resolves to the result or rejects.
 */
function settle<T>(work: Promise<T>, callback?: Callback<T>): Promise<T | undefined> {
  if (!callback) return work;
  return work
    .then(
      (result) => callback(null, result) as undefined,
      (error: unknown) => callback(error) as undefined,
    )
    .catch((thrown: unknown) => {
      process.nextTick(() => {
        throw thrown;
      });
      return undefined;
    });
}

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** The store class, on express-session's `Store` (an EventEmitter express-session adds its helpers to). */
function defineCutoverStore(Base: typeof Store) {
  return class CutoverSessionStore extends Base implements CutoverStore {
    readonly stats: CutoverStats = { fromRedis: 0, fromLegacy: 0, notFound: 0, corrupt: 0, pendingLegacyDeletes: 0 };
    private readonly redisStore: ConnectRedisStore;
    private readonly table: LegacySessionTable;
    private readonly settings: Required<Omit<CutoverStoreOptions, 'legacy' | 'tableName' | 'schemaName'>>;
    private readonly pendingDeletes = new Set<string>();
    private retryTimer: NodeJS.Timeout | undefined;
    private warnedOutage = false;

    constructor(redisStore: ConnectRedisStore, options: CutoverStoreOptions) {
      super();
      this.redisStore = redisStore;
      this.table = new LegacySessionTable(options.legacy, options);
      this.settings = {
        legacyTimeoutMs: positive('legacyTimeoutMs', options.legacyTimeoutMs ?? CUTOVER_STORE_DEFAULTS.legacyTimeoutMs),
        retryIntervalMs: positive('retryIntervalMs', options.retryIntervalMs ?? CUTOVER_STORE_DEFAULTS.retryIntervalMs),
        maxPendingDeletes: positive(
          'maxPendingDeletes',
          options.maxPendingDeletes ?? CUTOVER_STORE_DEFAULTS.maxPendingDeletes,
        ),
        onWarning: options.onWarning ?? CUTOVER_STORE_DEFAULTS.onWarning,
      };
    }

    private get redis(): NodeRedisCommands {
      return this.redisStore.client as NodeRedisCommands;
    }

    private get serializer() {
      return this.redisStore.serializer ?? JSON;
    }

    override get(sid: string, callback?: Callback<SessionData | null>) {
      return settle(this.lookup(sid), callback);
    }

    override set(sid: string, session: SessionData, callback?: (error?: unknown) => void) {
      return settle(
        this.viaRedisStore((cb) => this.redisStore.set(sid, session, cb)),
        callback,
      );
    }

    override touch(sid: string, session: SessionData, callback?: (error?: unknown) => void) {
      const touch = this.redisStore.touch?.bind(this.redisStore);
      return settle(touch ? this.viaRedisStore((cb) => touch(sid, session, cb)) : Promise.resolve(null), callback);
    }

    override destroy(sid: string, callback?: (error?: unknown) => void) {
      return settle(this.end(sid), callback);
    }

    override length(callback?: Callback<number>) {
      return settle(
        this.sessionIds().then((ids) => ids.length),
        callback,
      );
    }

    ids(callback?: Callback<string[]>) {
      return settle(this.sessionIds(), callback);
    }

    override all(callback?: Callback<SessionData[]>) {
      return settle(this.allSessions(), callback);
    }

    override clear(callback?: (error?: unknown) => void) {
      return settle(this.clearAll(), callback);
    }

    /** A connect-redis call made through its callback, as a promise of `null` (what connect-redis resolves to). */
    private viaRedisStore(call: (callback: (error?: unknown) => void) => void): Promise<null> {
      return new Promise((resolve, reject) => call((error) => (error ? reject(error) : resolve(null))));
    }

    private legacyQuery<T>(query: Promise<T>): Promise<T> {
      const ms = this.settings.legacyTimeoutMs;
      return withTimeout(query, ms, () => new Error(`the legacy database did not answer within ${ms} ms`));
    }

    /** A session from Redis text, or null (counted and reported) when express-session could not load it. */
    private parse(sid: string, raw: string): SessionData | null {
      let session: unknown;
      try {
        session = this.serializer.parse(raw);
      } catch {
        session = undefined;
      }
      if (typeof session === 'object' && session !== null && !Array.isArray(session)) return session as SessionData;
      this.stats.corrupt++;
      this.settings.onWarning(
        `session ${JSON.stringify(sid)}: Redis holds a value express-session cannot load (${raw.length} characters, ${
          raw === '' ? 'empty' : 'not a JSON object'
        }); read as no session`,
      );
      return null;
    }

    private async lookup(sid: string): Promise<SessionData | null> {
      const key = this.redisStore.prefix + sid;
      const marker = markerKey(key);
      // Two GETs, not one MGET: a key of another type must fail as it does with connect-redis (MGET answers nil).
      const [raw, moved] = await Promise.all([this.redis.get(key), this.redis.get(marker)]);
      if (raw !== null && raw !== undefined) {
        this.stats.fromRedis++;
        return this.parse(sid, raw);
      }
      if (moved !== null && moved !== undefined) {
        // Moved before and ended in Redis since: final, whatever the row says.
        this.stats.notFound++;
        return null;
      }
      const row = await this.legacyQuery(this.table.find(sid));
      // No size limit here: the app's next save writes the session to Redis whatever its size; refusing it now
      // would only log the user out. The bulk copier reports large sessions instead.
      const judged = row && judgeRow(row, Number.POSITIVE_INFINITY);
      if (judged?.kind !== 'live') {
        // Expired and malformed rows load as no session, as connect-pg-simple does.
        this.stats.notFound++;
        return null;
      }
      const session = JSON.parse(judged.value) as SessionData;
      const value = this.serializer === JSON ? judged.value : this.serializer.stringify(session);
      const outcome = moveOutcome(await MOVE.run(this.redis, [key, marker], [value, judged.ttlMs, '1']));
      if (outcome.kind === 'present') {
        // Saved to Redis by another request meanwhile: that is the newer session.
        this.stats.fromRedis++;
        return this.parse(sid, outcome.value ?? '');
      }
      if (outcome.kind === 'ended') {
        // Logged out while we read the row.
        this.stats.notFound++;
        return null;
      }
      this.stats.fromLegacy++;
      return session;
    }

    private async end(sid: string): Promise<null> {
      const key = this.redisStore.prefix + sid;
      await END.run(this.redis, [key, markerKey(key)], [END_GUARD_MS]);
      try {
        await this.legacyQuery(this.table.remove([sid]));
      } catch (error) {
        this.postponeDelete(sid, error);
      }
      return null;
    }

    /** The row delete of a logout, tried again later; the session is already ended in Redis, so nothing waits on it. */
    private postponeDelete(sid: string, error: unknown): void {
      if (this.pendingDeletes.size >= this.settings.maxPendingDeletes) {
        this.settings.onWarning(
          `more than ${this.settings.maxPendingDeletes} logouts wait for the legacy database; session ${JSON.stringify(
            sid,
          )} stays logged out by its marker in Redis, and resetCutover deletes its row`,
        );
        return;
      }
      this.pendingDeletes.add(sid);
      this.stats.pendingLegacyDeletes = this.pendingDeletes.size;
      if (!this.warnedOutage) {
        this.warnedOutage = true;
        this.settings.onWarning(
          `the legacy database did not take a logout's row delete (${(error as Error).message}); logouts still work (they end in Redis) and their row deletes are retried every ${this.settings.retryIntervalMs} ms`,
        );
      }
      this.retryTimer ??= setTimeout(() => void this.retryDeletes(), this.settings.retryIntervalMs).unref();
    }

    private async retryDeletes(): Promise<void> {
      const sids = [...this.pendingDeletes];
      try {
        await this.legacyQuery(this.table.remove(sids));
        for (const sid of sids) this.pendingDeletes.delete(sid);
        this.warnedOutage = false;
        this.settings.onWarning(`the legacy database answers again: ${sids.length} postponed row deletes made`);
      } catch {
        // Still down: the next round tries again.
      }
      this.stats.pendingLegacyDeletes = this.pendingDeletes.size;
      this.retryTimer =
        this.pendingDeletes.size > 0
          ? setTimeout(() => void this.retryDeletes(), this.settings.retryIntervalMs).unref()
          : undefined;
    }

    /** Every session key under the prefix, each once (markers excluded, should the prefix be empty). */
    private async redisKeys(): Promise<string[]> {
      const keys = new Set<string>();
      const count = this.redisStore.scanCount ?? 100;
      for await (const batch of scanAll(this.redis, scanPatterns(this.redisStore.prefix).sessions, count)) {
        for (const key of batch) if (!key.startsWith(MARKER_NAMESPACE)) keys.add(key);
      }
      return [...keys];
    }

    /** Live rows that have neither a key nor a marker in Redis: sessions still only in PostgreSQL. */
    private async *legacyOnly(): AsyncGenerator<{ sid: string; value: string }[]> {
      let after: string | undefined;
      for (;;) {
        const rows = await this.legacyQuery(this.table.batch(after, WALK_BATCH));
        if (rows.length === 0) return;
        after = rows.at(-1)?.sid;
        const live = rows.map((row) => judgeRow(row, Number.POSITIVE_INFINITY)).filter((j) => j.kind === 'live');
        const found = await Promise.all(
          live.map((j) => {
            const key = this.redisStore.prefix + j.sid;
            return this.redis.exists([key, markerKey(key)]);
          }),
        );
        yield live.filter((_, i) => found[i] === 0).map((j) => ({ sid: j.sid, value: j.value }));
        if (rows.length < WALK_BATCH) return;
      }
    }

    private async sessionIds(): Promise<string[]> {
      const cut = this.redisStore.prefix.length;
      const ids = (await this.redisKeys()).map((key) => key.slice(cut));
      for await (const batch of this.legacyOnly()) ids.push(...batch.map((s) => s.sid));
      return ids;
    }

    private async allSessions(): Promise<SessionData[]> {
      const cut = this.redisStore.prefix.length;
      const keys = await this.redisKeys();
      const sessions: SessionData[] = [];
      for (let at = 0; at < keys.length; at += WALK_BATCH) {
        const chunk = keys.slice(at, at + WALK_BATCH);
        // One GET per key (node-redis pipelines them): an MGET across slots would fail on a cluster.
        const values = await Promise.all(chunk.map((key) => this.redis.get(key)));
        values.forEach((raw, i) => {
          const session = raw ? this.parse((chunk[i] as string).slice(cut), raw) : null;
          if (session) sessions.push(Object.assign(session, { id: (chunk[i] as string).slice(cut) }));
        });
      }
      for await (const batch of this.legacyOnly()) {
        for (const { sid, value } of batch) sessions.push(Object.assign(JSON.parse(value) as SessionData, { id: sid }));
      }
      return sessions;
    }

    private async clearAll(): Promise<null> {
      const keys = await this.redisKeys();
      const markers = new Set<string>();
      for await (const batch of scanAll(this.redis, scanPatterns(this.redisStore.prefix).markers, 1000)) {
        for (const marker of batch) markers.add(marker);
      }
      // Rows first: a row left behind would answer again once its key and marker are gone.
      await this.legacyQuery(this.table.removeAll());
      const doomed = [...keys, ...markers];
      for (let at = 0; at < doomed.length; at += WALK_BATCH) {
        // One DEL per key (pipelined): a multi-key DEL across slots would fail on a cluster.
        await Promise.all(doomed.slice(at, at + WALK_BATCH).map((key) => this.redis.del([key])));
      }
      return null;
    }
  };
}
