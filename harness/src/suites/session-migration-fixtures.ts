/**
 * What the session-migration checks share: the two legacy databases every check runs against (PGlite in process,
 * and a real PostgreSQL the harness starts: Debian's 15, see targets/postgres.ts), a fresh connect-pg-simple table
 * and key prefix per check, and the node-redis client connect-redis needs, built the way the example builds it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { connectionSettings, type RedisClient } from '@redis-agent-kit/patterns';
import { command, sendBatch } from '@redis-agent-kit/patterns/cluster';
import type { SqlClient } from '@redis-agent-kit/patterns/session';
import type { SessionData } from 'express-session';
import pg from 'pg';
import { sessionTableSql } from '../../../examples/session-migration/src/legacy-db.ts';
import { connectSessionRedis, type SessionRedis } from '../../../examples/session-migration/src/session-redis.ts';
// An internal, by path: the checks read rows (and their TTL by the database's clock) the way the copier does.
import { LegacySessionTable } from '../../../packages/patterns/src/session/legacy-table.ts';
import type { SuiteContext } from '../matrix/suite.ts';
import { sharedPostgres, stopSharedPostgres } from '../targets/postgres.ts';
import { targetConnection } from '../targets/describe.ts';
import type { TargetInfo } from '../targets/types.ts';

export const LEGACY_KINDS = ['PGlite', 'PostgreSQL'] as const;
export type LegacyKind = (typeof LEGACY_KINDS)[number];

interface LegacyDatabase {
  sql: SqlClient;
  /** Runs several statements at once (the table's DDL). */
  exec(text: string): Promise<void>;
  /** What answered, for the matrix notes: `PostgreSQL 15.18 (Debian …)`. */
  version: string;
  close(): Promise<void>;
}

const opened = new Map<LegacyKind, Promise<LegacyDatabase>>();

async function openPglite(): Promise<LegacyDatabase> {
  const db = await PGlite.create();
  const { rows } = await db.query<{ v: string }>('SELECT version() AS v');
  return {
    sql: db,
    exec: async (text) => {
      await db.exec(text);
    },
    version: `PGlite (${/PostgreSQL [\d.]+/.exec(rows[0]?.v ?? '')?.[0] ?? 'PostgreSQL'})`,
    close: () => db.close(),
  };
}

async function openPostgres(): Promise<LegacyDatabase> {
  const server = await sharedPostgres();
  // allowExitOnIdle: idle connections do not keep a finished command (the matrix) alive.
  const pool = new pg.Pool({ connectionString: server.url, max: 10, allowExitOnIdle: true });
  // A connection ended by the server's shutdown at the end of the run is not a failure of any check.
  pool.on('error', () => {});
  return {
    sql: pool,
    exec: async (text) => {
      await pool.query(text);
    },
    // `PostgreSQL 15.18`: the build details stay out of the matrix cell.
    version: server.version.split(' (')[0] ?? server.version,
    close: () => pool.end(),
  };
}

/**
 * One database of each kind per process, opened on first use: PGlite in about a second, PostgreSQL (initdb and
 * start) in about two. Without PostgreSQL's binaries every PostgreSQL check fails saying how to install them.
 */
export function legacyDatabase(kind: LegacyKind): Promise<LegacyDatabase> {
  let database = opened.get(kind);
  if (!database) {
    database = kind === 'PGlite' ? openPglite() : openPostgres();
    opened.set(kind, database);
  }
  return database;
}

/** Closes the databases and stops the PostgreSQL server (a test file's afterAll; the matrix exits instead). */
export async function closeLegacyDatabases(): Promise<void> {
  const all = [...opened.values()];
  opened.clear();
  await Promise.all(all.map(async (database) => (await database.catch(() => undefined))?.close()));
  await stopSharedPostgres();
}

export interface LegacyFixture {
  kind: LegacyKind;
  sql: SqlClient;
  tableName: string;
  table: LegacySessionTable;
  /** Key prefix standing in for `sess:` so checks do not share keys. */
  prefix: string;
}

/** A fresh connect-pg-simple table for one check, dropped after it, and the keys it wrote unlinked. */
export async function withFixture(
  ctx: SuiteContext,
  kind: LegacyKind,
  run: (fx: LegacyFixture, keys: string[]) => Promise<void>,
): Promise<void> {
  const database = await legacyDatabase(kind);
  ctx.note(`legacy: ${database.version}`);
  const tableName = `session_${randomBytes(4).toString('hex')}`;
  await database.exec(sessionTableSql(tableName));
  const table = new LegacySessionTable(database.sql, { tableName });
  const keys: string[] = [];
  try {
    await run({ kind, sql: database.sql, tableName, table, prefix: `${ctx.prefix}:sess:` }, keys);
  } finally {
    await unlinkAll(ctx.client, keys);
    await database.exec(`DROP TABLE ${table.name}`);
  }
}

/** How many of these keys exist, by asking for each (no SCAN: works the same on a cluster). */
export async function existingKeys(client: RedisClient, keys: string[]): Promise<number> {
  const replies = await sendBatch(
    client,
    keys.map((key) => command('EXISTS', key)),
  );
  return replies.filter((n) => n === 1).length;
}

export async function unlinkAll(client: RedisClient, keys: string[]): Promise<void> {
  await sendBatch(
    client,
    keys.map((key) => command('UNLINK', key)),
  );
}

/**
 * The node-redis client connect-redis needs, on this target, made as the example makes it: from the connection
 * factory's settings, so REDIS_USERNAME, REDIS_PASSWORD and REDIS_TLS_* count here too. Closed by the caller.
 */
export function nodeRedisFor(target: TargetInfo): Promise<SessionRedis> {
  return connectSessionRedis(connectionSettings(targetConnection(target)));
}

/** A callback-style store call as a promise. */
export function storeCall<T>(call: (callback: (error?: unknown, result?: T) => void) => void): Promise<T | undefined> {
  return new Promise((resolve, reject) => call((error, result) => (error ? reject(error) : resolve(result))));
}

/** An express-session-shaped session whose cookie expires in `seconds` (in the past when negative). */
export function sessionData(seconds: number, extra: Record<string, unknown> = {}): SessionData {
  const expires = new Date(Date.now() + seconds * 1000);
  return {
    cookie: { originalMaxAge: seconds * 1000, expires, httpOnly: true, path: '/' },
    ...extra,
  } as unknown as SessionData;
}

/** Inserts one row as connect-pg-simple would (`sess` as JSON text, `expire` in `ttlSeconds`). */
export async function insertRow(fx: LegacyFixture, sid: string, sess: string, ttlSeconds = 3600): Promise<void> {
  await fx.sql.query(
    `INSERT INTO ${fx.table.name} (sid, sess, expire) VALUES ($1, $2::json, now() + make_interval(secs => $3))`,
    [sid, sess, ttlSeconds],
  );
}

/**
 * Reads a copied session's row and key and checks that the key's PTTL is the row's remaining lifetime, without
 * depending on how long anything took: the key may outlive the row by at most `writeMs` (measured around the call
 * that read the row and wrote the key) and read shorter by at most the time between the two reads here.
 */
export async function assertCarriedTtl(ctx: SuiteContext, fx: LegacyFixture, sid: string, writeMs: number) {
  const readStarted = performance.now();
  const row = await fx.table.find(sid);
  const [value, pttl] = await Promise.all([ctx.client.get(fx.prefix + sid), ctx.client.pttl(fx.prefix + sid)]);
  const readMs = performance.now() - readStarted;
  assert.ok(row?.sess && row.ttl_ms !== null, `${sid} has a row`);
  const slackMs = 2; // Redis counts whole milliseconds, PostgreSQL microseconds
  assert.ok(
    pttl >= row.ttl_ms - readMs - slackMs && pttl <= row.ttl_ms + writeMs + slackMs,
    `${sid}: TTL ${pttl} ms vs ${Math.round(row.ttl_ms)} ms left in PostgreSQL ` +
      `(write took ${Math.round(writeMs)} ms, reads ${Math.round(readMs)} ms)`,
  );
  return { sess: row.sess, value };
}

/** The legacy database behind a switch: while `down`, every query fails as an unreachable PostgreSQL does. */
export function switchableLegacy(sql: SqlClient): SqlClient & { down: boolean } {
  const legacy = {
    down: false,
    async query(text: string, params?: unknown[]) {
      if (legacy.down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      return sql.query(text, params);
    },
  };
  return legacy;
}

/** Waits (polling, never asserting time) until `condition` holds, or fails after `timeoutMs` saying what it waited for. */
export async function eventually(what: string, condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: still not true after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
