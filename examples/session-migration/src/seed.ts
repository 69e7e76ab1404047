/**
 * `npm run seed [-- COUNT]`: writes COUNT (default 1000) logged-in sessions into the connect-pg-simple table,
 * exactly as connect-pg-simple stores them, so the migration has something to move. Needs the same database as
 * `npm run migrate` (DATABASE_URL, or a running `npm start`'s embedded PGlite); creates the table when missing.
 */
import { randomBytes } from 'node:crypto';
import { redactUrl } from '@redis-agent-kit/patterns';
import { quoteIdentifier, type SqlClient } from '@redis-agent-kit/patterns/session';
import pg from 'pg';
import { legacyDatabaseUrl, loadConfig } from './config.ts';
import { ensureSessionTable } from './legacy-db.ts';

export interface SeedOptions {
  count: number;
  tableName?: string;
  /** Lifetime left for each session (default one day). */
  ttlSeconds?: number;
  /** Session ids are `<sidPrefix><random>`; tests use a prefix to find their own. */
  sidPrefix?: string;
}

/** Inserts sessions shaped like express-session's (cookie with expires, a user, a counter); returns their ids. */
export async function seedSessions(sql: SqlClient, options: SeedOptions): Promise<string[]> {
  const table = quoteIdentifier(options.tableName ?? 'session');
  const ttl = options.ttlSeconds ?? 86_400;
  const sids = Array.from(
    { length: options.count },
    () => `${options.sidPrefix ?? ''}${randomBytes(18).toString('base64url')}`,
  );
  for (let at = 0; at < sids.length; at += 5000) {
    const chunk = sids.slice(at, at + 5000);
    // One statement per 5000 rows: sess is built in SQL the way express-session serialises it.
    await sql.query(
      `INSERT INTO ${table} (sid, sess, expire)
       SELECT sid, json_build_object(
           'cookie', json_build_object('originalMaxAge', $2::int * 1000,
             'expires', to_char(e AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'httpOnly', true, 'path', '/', 'sameSite', 'lax'),
           'user', json_build_object('name', 'user-' || n, 'loggedInAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
           'views', n % 7),
         e::timestamp
       FROM unnest($1::varchar[]) WITH ORDINALITY AS s(sid, n),
            LATERAL (SELECT date_trunc('milliseconds', now() + make_interval(secs => $2::int))) AS t(e)`,
      [chunk, ttl],
    );
  }
  return sids;
}

if (import.meta.main) {
  const config = loadConfig();
  const count = Number(process.argv[2] ?? 1000);
  if (!Number.isSafeInteger(count) || count < 1) {
    console.error(`Usage: npm run seed -- [COUNT]: COUNT must be a positive whole number, got ${process.argv[2]}`);
    process.exit(2);
  }
  const url = legacyDatabaseUrl(config);
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5000 });
  pool.on('error', () => {});
  try {
    if (!(await ensureSessionTable(pool, config.tableName, redactUrl(url)))) {
      throw new Error(
        config.databaseUrl
          ? 'it does not answer: check DATABASE_URL'
          : 'it does not answer: start the app first (`npm start` serves its embedded PGlite there) or set DATABASE_URL',
      );
    }
    await seedSessions(pool, { count, tableName: config.tableName });
    console.log(`seeded ${count} sessions into ${redactUrl(url)} table "${config.tableName}"`);
  } catch (error) {
    console.error(`Cannot seed ${redactUrl(url)}: ${redactUrl((error as Error).message)}`);
    process.exitCode = 1;
  } finally {
    await pool.end();
  }
}
