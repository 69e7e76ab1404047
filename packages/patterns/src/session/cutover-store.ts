/**
 * An express-session store for the weeks of a PostgreSQL-to-Redis move: reads Redis first and falls back to the
 * connect-pg-simple table, writing a session found only there through to Redis with its remaining lifetime, so
 * sessions move lazily while the bulk copy runs. Writes and touches go to Redis only; destroy removes the row
 * and then the key (in that order: see bulk-copy.ts on resurrection).
 *
 * The Redis side is the connect-redis store the app keeps after the cutover (node-redis client, default JSON
 * serializer), so key format and TTL rules are the ones the app will live with. That store is what this one
 * talks to Redis through, so it is the first argument: `createCutoverStore(redisStore, { legacy })`.
 *
 * express-session is an optional peer of this package: it is loaded when the first cutover store is built, so
 * importing `@redis-agent-kit/patterns/session` for the copier or the session repository does not need it.
 */
import { createRequire } from 'node:module';
import type expressSession from 'express-session';
import type { SessionData, Store } from 'express-session';
import { LegacySessionTable, type LegacyTableOptions, type SqlClient } from './legacy-table.ts';
import { judgeRow } from './session-row.ts';

/** What the cutover store needs of a connect-redis `RedisStore`. */
export interface ConnectRedisStore extends Store {
  prefix: string;
  /** The node-redis client (`createClient()` or `createCluster()` from the `redis` package). */
  client: unknown;
}

export interface CutoverStoreOptions extends LegacyTableOptions {
  /** The legacy database the sessions move from (the pg.Pool connect-pg-simple used). */
  legacy: SqlClient;
}

/** Where the store found sessions since it started: once `fromLegacy` stops growing, the sessions have moved. */
export interface CutoverStats {
  fromRedis: number;
  fromLegacy: number;
  notFound: number;
}

/** An express-session store (`session({ store })`) that also counts where it found sessions. */
export interface CutoverStore extends Store {
  readonly stats: CutoverStats;
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

/** The node-redis calls the write-through makes. */
interface NodeRedisWrites {
  set(
    key: string,
    value: string,
    options: { condition: 'NX'; expiration: { type: 'PX'; value: number } },
  ): Promise<unknown>;
  del(keys: string[]): Promise<unknown>;
}

type Callback = (error?: unknown) => void;

/** The store class, on express-session's `Store` (an EventEmitter express-session adds its helpers to). */
function defineCutoverStore(Base: typeof Store) {
  return class CutoverSessionStore extends Base implements CutoverStore {
    readonly stats: CutoverStats = { fromRedis: 0, fromLegacy: 0, notFound: 0 };
    private readonly redisStore: ConnectRedisStore;
    private readonly table: LegacySessionTable;

    constructor(redisStore: ConnectRedisStore, options: CutoverStoreOptions) {
      super();
      this.redisStore = redisStore;
      this.table = new LegacySessionTable(options.legacy, options);
    }

    override get(sid: string, callback: (error: unknown, session?: SessionData | null) => void): void {
      this.lookup(sid).then(
        (session) => callback(null, session),
        (error) => callback(error),
      );
    }

    override set(sid: string, session: SessionData, callback?: Callback): void {
      this.redisStore.set(sid, session, (error) => callback?.(error));
    }

    override touch(sid: string, session: SessionData, callback?: Callback): void {
      if (this.redisStore.touch) this.redisStore.touch(sid, session, (error?: unknown) => callback?.(error));
      else callback?.();
    }

    override destroy(sid: string, callback?: Callback): void {
      this.table
        .remove(sid)
        .then(
          () => new Promise<void>((resolve, reject) => this.redisStore.destroy(sid, (e) => (e ? reject(e) : resolve()))),
        )
        .then(
          () => callback?.(),
          (error) => callback?.(error),
        );
    }

    private async lookup(sid: string): Promise<SessionData | null> {
      const cached = await new Promise<SessionData | null | undefined>((resolve, reject) =>
        this.redisStore.get(sid, (error, session) => (error ? reject(error) : resolve(session))),
      );
      if (cached) {
        this.stats.fromRedis++;
        return cached;
      }
      const row = await this.table.find(sid);
      // No size limit here: the app's next save writes the session to Redis whatever its size; refusing it now
      // would only log the user out. The bulk copier reports large sessions instead.
      const judged = row && judgeRow(row, Number.POSITIVE_INFINITY);
      if (judged?.kind !== 'live') {
        // Expired and malformed rows load as no session, as connect-pg-simple does.
        this.stats.notFound++;
        return null;
      }
      const key = this.redisStore.prefix + sid;
      const client = this.redisStore.client as NodeRedisWrites;
      // NX: a request that saved this session to Redis meanwhile has the newer data; then read that instead.
      const written = await client.set(key, judged.value, {
        condition: 'NX',
        expiration: { type: 'PX', value: judged.ttlMs },
      });
      if (written === null) return this.lookup(sid);
      if (!(await this.table.existing([sid])).has(sid)) {
        // Logged out while we copied: do not bring the session back.
        await client.del([key]);
        this.stats.notFound++;
        return null;
      }
      this.stats.fromLegacy++;
      return JSON.parse(judged.value) as SessionData;
    }
  };
}
