/**
 * The first run's data: with the embedded PGlite (no DATABASE_URL) and an empty legacy table, `npm start` writes
 * `DEMO_SESSIONS` (100) logged-in sessions into it, as connect-pg-simple stores them, so the runbook's
 * `npm run migrate` has sessions to copy and its report something to count. A table with any row is left alone,
 * and a real PostgreSQL never gets demo data.
 */
import { quoteIdentifier, type SqlClient } from '@redis-agent-kit/patterns/session';
import type { Config } from './config.ts';
import { seedSessions } from './seed.ts';

/** Seeds an empty embedded table; returns how many sessions it wrote (0 when it left the table alone). */
export async function seedDemoSessions(
  sql: SqlClient,
  config: Pick<Config, 'databaseUrl' | 'demoSessions' | 'tableName'>,
): Promise<number> {
  if (config.databaseUrl || config.demoSessions === 0) return 0;
  const { rows } = await sql.query(`SELECT EXISTS (SELECT 1 FROM ${quoteIdentifier(config.tableName)}) AS found`);
  if ((rows[0] as { found: boolean } | undefined)?.found !== false) return 0;
  await seedSessions(sql, { count: config.demoSessions, tableName: config.tableName });
  return config.demoSessions;
}
