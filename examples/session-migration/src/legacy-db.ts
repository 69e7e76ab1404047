/**
 * The legacy session database: a real PostgreSQL from DATABASE_URL, or, by default, PGlite (PostgreSQL compiled to
 * WASM) served over the wire protocol on a loopback port, so `pg` and connect-pg-simple work unchanged and
 * `npm run migrate` can reach the same database from another process. Either way connect-pg-simple's table is
 * created when missing (as its `createTableIfMissing` would), and /readyz checks that it exists.
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { redactUrl } from '@redis-agent-kit/patterns';
import { quoteIdentifier } from '@redis-agent-kit/patterns/session';
import pg from 'pg';

export interface LegacyDatabase {
  pool: pg.Pool;
  /** For messages: the password, if any, is redacted. */
  display: string;
  /** The URL other processes use to reach it (the embedded server's, or DATABASE_URL). */
  url: string;
  close(): Promise<void>;
}

export interface LegacyDatabaseOptions {
  databaseUrl?: string | undefined;
  pgliteDir?: string;
  /** 0 picks a free port. */
  pglitePort?: number;
  tableName?: string;
}

/** connect-pg-simple's table.sql, made idempotent. */
export function sessionTableSql(tableName = 'session'): string {
  const table = quoteIdentifier(tableName);
  const index = quoteIdentifier(`IDX_${tableName}_expire`);
  return `CREATE TABLE IF NOT EXISTS ${table} (
    "sid" varchar NOT NULL COLLATE "default" PRIMARY KEY,
    "sess" json NOT NULL,
    "expire" timestamp(6) NOT NULL
  );
  CREATE INDEX IF NOT EXISTS ${index} ON ${table} ("expire");`;
}

/** A connection attempt that gets no answer fails after this long (pg's own default is to wait forever). */
const CONNECT_TIMEOUT_MS = 2000;

function pool(url: string): pg.Pool {
  const created = new pg.Pool({ connectionString: url, max: 5, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  created.on('error', (error) => console.error(`[postgres] ${redactUrl(error.message)}`));
  return created;
}

/** PostgreSQL could not be reached at all (as opposed to refusing a statement). */
function unreachable(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH'].includes(code ?? '') ||
    /timeout|terminated/i.test((error as Error).message)
  );
}

/**
 * Creates connect-pg-simple's table (and its index) when missing. A database that cannot be reached is not an error
 * here (`false`): the app starts, /readyz says PostgreSQL is down, and the next start creates the table. A database
 * that refuses (no CREATE permission) is: it says what to run instead.
 */
export async function ensureSessionTable(
  sql: pg.Pool,
  tableName = 'session',
  display = 'the database',
): Promise<boolean> {
  try {
    await sql.query(sessionTableSql(tableName));
    return true;
  } catch (error) {
    if (unreachable(error)) return false;
    throw new Error(
      `Cannot create the session table "${tableName}" in ${display}: ${redactUrl((error as Error).message)}. Create it as a user who may (the statement is sessionTableSql() in src/legacy-db.ts, connect-pg-simple's table.sql), or set SESSION_TABLE to an existing one.`,
      { cause: error },
    );
  }
}

/** Throws unless the session table exists: what /readyz checks on PostgreSQL. */
export async function checkSessionTable(sql: pg.Pool, tableName = 'session'): Promise<void> {
  const { rows } = await sql.query('SELECT to_regclass($1) IS NOT NULL AS found', [quoteIdentifier(tableName)]);
  if (!(rows[0] as { found: boolean }).found) throw new Error(`table "${tableName}" does not exist`);
}

export async function openLegacyDatabase(options: LegacyDatabaseOptions = {}): Promise<LegacyDatabase> {
  if (options.databaseUrl) {
    const url = options.databaseUrl;
    const connected = pool(url);
    const display = redactUrl(url);
    if (!(await ensureSessionTable(connected, options.tableName, display))) {
      console.error(
        `[postgres] ${display} does not answer; the session table is created on the next start, /readyz says when it is back`,
      );
    }
    return { pool: connected, url, display, close: () => connected.end() };
  }
  const dir = options.pgliteDir ?? 'memory://';
  const port = options.pglitePort ?? 0;
  const db = await PGlite.create(dir);
  await db.exec(sessionTableSql(options.tableName));
  // One connection is the default; a pool's second one would be reset. PGlite still runs one query at a time.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 10 });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw new Error(
      `Cannot serve the embedded PostgreSQL on port ${port}: ${(error as Error).message}. Set PGLITE_PORT to a free port, or DATABASE_URL to use a real PostgreSQL.`,
      { cause: error },
    );
  }
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  const connected = pool(url);
  return {
    pool: connected,
    url,
    display: `${url} (embedded PGlite, data in ${dir})`,
    async close() {
      await connected.end();
      await server.stop();
      await db.close();
    },
  };
}
