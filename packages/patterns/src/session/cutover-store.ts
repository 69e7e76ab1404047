/**
 * An express-session store for the weeks of a PostgreSQL-to-Redis move: reads Redis first and falls back to the
 * connect-pg-simple table, writing a session found only there through to Redis with its remaining lifetime, so
 * sessions move lazily while the bulk copy runs. Writes and touches go to Redis only; destroy removes the row
 * and then the key (in that order: see bulk-copy.ts on resurrection).
 *
 * The Redis side is the connect-redis store the app keeps after the cutover (node-redis client, default JSON
 * serializer), so key format and TTL rules are the ones the app will live with.
 */
import { type SessionData, Store } from 'express-session';
import { LegacySessionTable, type LegacyTableOptions, type SqlClient } from './legacy-table.ts';
import { judgeRow } from './session-row.ts';

/** What the cutover store needs of a connect-redis `RedisStore`. */
export interface ConnectRedisStore extends Store {
  prefix: string;
  /** The node-redis client (`createClient()` or `createCluster()` from the `redis` package). */
  client: unknown;
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

export interface CutoverStoreOptions extends LegacyTableOptions {
  /** The connect-redis store (`new RedisStore({ client })`). */
  redis: ConnectRedisStore;
  /** The legacy database (pg.Pool). */
  legacy: SqlClient;
}

/** Where the store found sessions since it started: once `fromLegacy` stops growing, the sessions have moved. */
export interface CutoverStats {
  fromRedis: number;
  fromLegacy: number;
  notFound: number;
}

type Callback = (error?: unknown) => void;

export class CutoverStore extends Store {
  readonly stats: CutoverStats = { fromRedis: 0, fromLegacy: 0, notFound: 0 };
  private readonly redis: ConnectRedisStore;
  private readonly table: LegacySessionTable;

  constructor(options: CutoverStoreOptions) {
    super();
    this.redis = options.redis;
    this.table = new LegacySessionTable(options.legacy, options);
  }

  override get(sid: string, callback: (error: unknown, session?: SessionData | null) => void): void {
    this.lookup(sid).then(
      (session) => callback(null, session),
      (error) => callback(error),
    );
  }

  override set(sid: string, session: SessionData, callback?: Callback): void {
    this.redis.set(sid, session, (error) => callback?.(error));
  }

  override touch(sid: string, session: SessionData, callback?: Callback): void {
    if (this.redis.touch) this.redis.touch(sid, session, (error?: unknown) => callback?.(error));
    else callback?.();
  }

  override destroy(sid: string, callback?: Callback): void {
    this.table
      .remove(sid)
      .then(() => new Promise<void>((resolve, reject) => this.redis.destroy(sid, (e) => (e ? reject(e) : resolve()))))
      .then(
        () => callback?.(),
        (error) => callback?.(error),
      );
  }

  private async lookup(sid: string): Promise<SessionData | null> {
    const cached = await new Promise<SessionData | null | undefined>((resolve, reject) =>
      this.redis.get(sid, (error, session) => (error ? reject(error) : resolve(session))),
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
    const key = this.redis.prefix + sid;
    const client = this.redis.client as NodeRedisWrites;
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
}
