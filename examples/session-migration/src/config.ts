/** Everything the example reads from the environment, parsed once and checked, so a typo fails at start. */
import { type ConnectionSettings, connectionSettings } from '@redis-agent-kit/patterns';

export const STORE_KINDS = ['pg', 'redis', 'cutover'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export interface Config {
  port: number;
  /** pg: connect-pg-simple (the legacy store); cutover: Redis first, PostgreSQL fallback; redis: connect-redis. */
  store: StoreKind;
  /**
   * Redis as the kit's connection factory resolves it from REDIS_URL, REDIS_USERNAME, REDIS_PASSWORD, REDIS_TLS_* and
   * REDIS_CLUSTER (the password is not enumerable: logging the config does not show it).
   */
  redis: ConnectionSettings;
  /** A real PostgreSQL; when unset the example runs PGlite (PostgreSQL in WASM) and serves it on `pglitePort`. */
  databaseUrl: string | undefined;
  /** PGlite's data directory (`memory://` for none). */
  pgliteDir: string;
  pglitePort: number;
  /** connect-pg-simple's table (and the copier's source). */
  tableName: string;
  /** connect-redis' key prefix (and the copier's target). */
  redisPrefix: string;
  sessionSecret: string;
  sessionMaxAgeMs: number;
  /**
   * Sessions `npm start` writes into an empty legacy table of the embedded PGlite, so a first run has sessions to
   * migrate (DEMO_SESSIONS, default 100; 0 for none). Never into a DATABASE_URL.
   */
  demoSessions: number;
}

export const DEV_SECRET = 'dev-only-secret-change-me';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const store = (env.SESSION_STORE ?? 'cutover') as StoreKind;
  if (!STORE_KINDS.includes(store)) {
    throw new Error(`SESSION_STORE=${env.SESSION_STORE} is not one of ${STORE_KINDS.join(', ')}`);
  }
  const number = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name}=${env[name]} is not a whole number`);
    return value;
  };
  const sessionSecret = env.SESSION_SECRET ?? DEV_SECRET;
  if (sessionSecret === DEV_SECRET && env.NODE_ENV === 'production') {
    throw new Error('SESSION_SECRET must be set in production: it signs the session cookies of every store');
  }
  return {
    port: number('PORT', 3000),
    store,
    redis: connectionSettings({ env }),
    databaseUrl: env.DATABASE_URL || undefined,
    pgliteDir: env.PGLITE_DIR ?? '.pglite',
    pglitePort: number('PGLITE_PORT', 54329),
    tableName: env.SESSION_TABLE ?? 'session',
    redisPrefix: env.SESSION_PREFIX ?? 'sess:',
    sessionSecret,
    sessionMaxAgeMs: number('SESSION_MAX_AGE_MS', 24 * 3600 * 1000),
    demoSessions: number('DEMO_SESSIONS', 100),
  };
}

/** Where `npm run migrate` and `npm run seed` find the legacy table: DATABASE_URL, else the PGlite `npm start` serves. */
export function legacyDatabaseUrl(config: Config): string {
  return config.databaseUrl ?? `postgres://postgres@127.0.0.1:${config.pglitePort}/postgres`;
}
