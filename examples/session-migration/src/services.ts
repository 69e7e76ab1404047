/**
 * Opens what the configured store needs and builds the store: the legacy database for `pg` and `cutover`, Redis
 * for `redis` and `cutover`. The readiness probes follow the same rule, so /readyz stops checking PostgreSQL
 * once the app no longer uses it.
 */
import { type CutoverStats, createCutoverStore } from '@redis-agent-kit/patterns/session';
import connectPgSimple from 'connect-pg-simple';
import { RedisStore } from 'connect-redis';
import session, { type Store } from 'express-session';
import type { Config } from './config.ts';
import { checkSessionTable, type LegacyDatabase, openLegacyDatabase } from './legacy-db.ts';
import type { Probe } from './readiness.ts';
import { connectSessionRedis, type SessionRedis } from './session-redis.ts';

export interface Services {
  store: Store;
  /** The legacy database's pool, where the store uses one (`pg`, `cutover`). */
  legacyPool?: LegacyDatabase['pool'];
  probes: Record<string, Probe>;
  /** Probes whose failure leaves the instance ready (PostgreSQL under the cutover store). */
  optionalProbes: string[];
  /** Where the cutover store found sessions (cutover only). */
  cutoverStats?: CutoverStats;
  /** What the store runs on, for the start-up line. */
  describe: string;
  close(): Promise<void>;
}

export async function openServices(config: Config): Promise<Services> {
  const usesLegacy = config.store !== 'redis';
  const usesRedis = config.store !== 'pg';
  let legacy: LegacyDatabase | undefined;
  let redis: SessionRedis | undefined;
  const close = async () => {
    await redis?.close();
    await legacy?.close();
  };
  try {
    if (usesLegacy) {
      legacy = await openLegacyDatabase({
        databaseUrl: config.databaseUrl,
        pgliteDir: config.pgliteDir,
        pglitePort: config.pglitePort,
        tableName: config.tableName,
      });
    }
    if (usesRedis) redis = await connectSessionRedis(config.redis);
  } catch (error) {
    await close();
    throw error;
  }
  const probes: Record<string, Probe> = {};
  if (redis) probes.redis = redis.ping;
  if (legacy) {
    const pool = legacy.pool;
    probes.postgres = () => checkSessionTable(pool, config.tableName);
  }
  const redisStore = redis && new RedisStore({ client: redis.client, prefix: config.redisPrefix });
  const legacyPool = legacy?.pool;
  const where = [redis && `Redis ${config.redis.display}`, legacy && `PostgreSQL ${legacy.display}`]
    .filter(Boolean)
    .join(' + ');
  if (config.store === 'redis' && redisStore) {
    return { store: redisStore, probes, optionalProbes: [], describe: `redis store on ${where}`, close };
  }
  if (config.store === 'cutover' && redisStore && legacy) {
    const store = createCutoverStore(redisStore, {
      legacy: legacy.pool,
      tableName: config.tableName,
      onWarning: (message) => console.error(`[cutover] ${message}`),
    });
    // Logins, logouts and moved sessions need only Redis: PostgreSQL down degrades the instance, it stays ready.
    return {
      store,
      legacyPool,
      probes,
      optionalProbes: ['postgres'],
      cutoverStats: store.stats,
      describe: `cutover store on ${where}`,
      close,
    };
  }
  const PgStore = connectPgSimple(session);
  const store = new PgStore({ pool: legacy?.pool, tableName: config.tableName });
  return { store, legacyPool, probes, optionalProbes: [], describe: `pg store on ${where}`, close };
}
