/**
 * The connect-pg-simple table, `session(sid varchar primary key, sess json, expire timestamp(6))`, read and
 * pruned through the smallest query interface (`pg.Pool`, `pg.Client` and PGlite all have it), so patterns
 * does not depend on a PostgreSQL driver.
 *
 * Remaining lifetimes are computed by the database (`expire - clock_timestamp()`), so the copy does not depend
 * on the copier's clock agreeing with the database's; Redis gets them as relative TTLs (PX).
 */
import type { LegacyRow } from './session-row.ts';

export interface SqlClient {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

export interface LegacyTableOptions {
  /** connect-pg-simple's `tableName` (default `session`). */
  tableName?: string;
  /** connect-pg-simple's `schemaName` (default: the search path). */
  schemaName?: string;
}

/** A PostgreSQL identifier (table, schema, index name) quoted for SQL text: `my"table` → `"my""table"`. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** What every row read selects: the session as text and its remaining lifetime by the database's clock. */
const COLUMNS = `sid, sess::text AS sess,
  (extract(epoch FROM (expire::timestamptz - clock_timestamp())) * 1000)::float8 AS ttl_ms`;

export class LegacySessionTable {
  readonly name: string;
  private readonly sql: SqlClient;

  constructor(sql: SqlClient, options: LegacyTableOptions = {}) {
    this.sql = sql;
    const table = quoteIdentifier(options.tableName ?? 'session');
    this.name = options.schemaName ? `${quoteIdentifier(options.schemaName)}.${table}` : table;
  }

  /** Rows after `afterSid` in sid order (keyset pagination on the primary key: no OFFSET, no rescans). */
  async batch(afterSid: string | undefined, limit: number): Promise<LegacyRow[]> {
    const { rows } =
      afterSid === undefined
        ? await this.sql.query(`SELECT ${COLUMNS} FROM ${this.name} ORDER BY sid LIMIT $1`, [limit])
        : await this.sql.query(`SELECT ${COLUMNS} FROM ${this.name} WHERE sid > $1 ORDER BY sid LIMIT $2`, [
            afterSid,
            limit,
          ]);
    return rows as LegacyRow[];
  }

  async count(afterSid: string | undefined): Promise<number> {
    const { rows } =
      afterSid === undefined
        ? await this.sql.query(`SELECT count(*)::int AS n FROM ${this.name}`)
        : await this.sql.query(`SELECT count(*)::int AS n FROM ${this.name} WHERE sid > $1`, [afterSid]);
    return (rows[0] as { n: number }).n;
  }

  /** Rows with `first <= sid <= last`: one index range scan. */
  async countBetween(first: string, last: string): Promise<number> {
    const { rows } = await this.sql.query(`SELECT count(*)::int AS n FROM ${this.name} WHERE sid >= $1 AND sid <= $2`, [
      first,
      last,
    ]);
    return (rows[0] as { n: number }).n;
  }

  async find(sid: string): Promise<LegacyRow | undefined> {
    const { rows } = await this.sql.query(`SELECT ${COLUMNS} FROM ${this.name} WHERE sid = $1`, [sid]);
    return rows[0] as LegacyRow | undefined;
  }

  /** Which of these sids still have a row. */
  async existing(sids: readonly string[]): Promise<Set<string>> {
    if (sids.length === 0) return new Set();
    const { rows } = await this.sql.query(`SELECT sid FROM ${this.name} WHERE sid = ANY($1::varchar[])`, [sids]);
    return new Set((rows as { sid: string }[]).map((row) => row.sid));
  }

  /** Deletes these sessions' rows (one statement). */
  async remove(sids: readonly string[]): Promise<void> {
    if (sids.length === 0) return;
    await this.sql.query(`DELETE FROM ${this.name} WHERE sid = ANY($1::varchar[])`, [sids]);
  }

  async removeAll(): Promise<void> {
    await this.sql.query(`DELETE FROM ${this.name}`);
  }

  /** Whether the table exists (`to_regclass` on its quoted, possibly schema-qualified name). */
  async exists(): Promise<boolean> {
    const { rows } = await this.sql.query('SELECT to_regclass($1) IS NOT NULL AS found', [this.name]);
    return (rows[0] as { found: boolean }).found;
  }
}
