/**
 * Session migration (workflow 3): the bulk copier and the cutover store on every target, with a real PostgreSQL
 * (PGlite, in process) holding the connect-pg-simple table. Each check gets its own table and key prefix.
 * On the cluster the copier sends one pipeline per node; the check notes which path ran.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import type { RedisClient } from '@redis-agent-kit/patterns';
import { command, keySlot, sendBatch } from '@redis-agent-kit/patterns/cluster';
import {
  type CopySessionsOptions,
  copySessions,
  createCutoverStore,
  createRedisCheckpoint,
  type SqlClient,
} from '@redis-agent-kit/patterns/session';
import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import { Cluster } from 'ioredis';
import { createClient, createCluster } from 'redis';
import { sessionTableSql } from '../../../examples/session-migration/src/legacy-db.ts';
import { seedSessions } from '../../../examples/session-migration/src/seed.ts';
// An internal, by path: the checks read rows (and their TTL by the database's clock) the way the copier does.
import { LegacySessionTable } from '../../../packages/patterns/src/session/legacy-table.ts';
import { defineSuite, type SuiteContext } from '../matrix/suite.ts';
import type { TargetInfo } from '../targets/types.ts';

let shared: Promise<PGlite> | undefined;

/** One in-process PostgreSQL for every check of this process (it starts in about a second). */
function legacyDatabase(): Promise<PGlite> {
  shared ??= PGlite.create();
  return shared;
}

interface LegacyFixture {
  sql: SqlClient;
  tableName: string;
  table: LegacySessionTable;
  /** Key prefix standing in for `sess:` so checks do not share keys. */
  prefix: string;
  drop(): Promise<void>;
}

/** A fresh connect-pg-simple table in the shared database. */
async function legacyFixture(keyPrefix: string): Promise<LegacyFixture> {
  const sql = await legacyDatabase();
  const tableName = `session_${randomBytes(4).toString('hex')}`;
  await sql.exec(sessionTableSql(tableName));
  const table = new LegacySessionTable(sql, { tableName });
  return {
    sql,
    tableName,
    table,
    prefix: `${keyPrefix}:sess:`,
    drop: async () => {
      await sql.exec(`DROP TABLE ${table.name}`);
    },
  };
}

/** How many of these keys exist, by asking for each (no SCAN: works the same on a cluster). */
export async function existingKeys(client: RedisClient, keys: string[]): Promise<number> {
  const replies = await sendBatch(client, keys.map((key) => command('EXISTS', key)));
  return replies.filter((n) => n === 1).length;
}

export async function unlinkAll(client: RedisClient, keys: string[]): Promise<void> {
  await sendBatch(client, keys.map((key) => command('UNLINK', key)));
}

async function withFixture(
  ctx: SuiteContext,
  run: (fx: LegacyFixture, keys: string[]) => Promise<void>,
): Promise<void> {
  ctx.note(ctx.client instanceof Cluster ? 'pipeline per cluster node' : 'one pipeline per batch');
  const fx = await legacyFixture(ctx.prefix);
  const keys: string[] = [];
  try {
    await run(fx, keys);
  } finally {
    await unlinkAll(ctx.client, keys);
    await fx.drop();
  }
}

/**
 * Reads a copied session's row and key and checks that the key's PTTL is the row's remaining lifetime, without
 * depending on how long anything took: the key may outlive the row by at most `writeMs` (measured around the
 * call that read the row and wrote the key) and read shorter by at most the time between the two reads here.
 */
async function assertCarriedTtl(ctx: SuiteContext, fx: LegacyFixture, sid: string, writeMs: number) {
  const readStarted = performance.now();
  const row = await fx.table.find(sid);
  const [value, pttl] = await Promise.all([ctx.client.get(fx.prefix + sid), ctx.client.pttl(fx.prefix + sid)]);
  const readMs = performance.now() - readStarted;
  assert.ok(row?.sess && row.ttl_ms !== null, `${sid} has a row`);
  const slackMs = 2; // Redis counts whole milliseconds, PostgreSQL microseconds
  assert.ok(
    pttl >= row.ttl_ms - readMs - slackMs && pttl <= row.ttl_ms + writeMs + slackMs,
    `${sid}: TTL ${pttl} ms vs ${Math.round(row.ttl_ms)} ms left in PostgreSQL (write took ${Math.round(writeMs)} ms, reads ${Math.round(readMs)} ms)`,
  );
  return { sess: row.sess, value };
}

const checkpointKey = (ctx: SuiteContext) => `${ctx.prefix}:checkpoint`;

/** The copier pointed at this check's table, keys and checkpoint. */
function copyOptions(ctx: SuiteContext, fx: LegacyFixture): CopySessionsOptions {
  return {
    legacy: fx.sql,
    tableName: fx.tableName,
    prefix: fx.prefix,
    checkpoint: createRedisCheckpoint(ctx.client, { key: checkpointKey(ctx) }),
  };
}

/** A node-redis client for connect-redis on this target, closed by the caller. */
async function nodeRedisFor(target: TargetInfo) {
  const client = target.cluster
    ? createCluster({ rootNodes: target.nodes.map((url) => ({ url })) })
    : createClient({ url: target.url });
  client.on('error', () => {});
  await client.connect();
  return client;
}

function storeCall<T>(call: (callback: (error?: unknown, result?: T) => void) => void): Promise<T | undefined> {
  return new Promise((resolve, reject) => call((error, result) => (error ? reject(error) : resolve(result))));
}

export default defineSuite({
  id: 'session-migration',
  title: 'Session migration: PostgreSQL (connect-pg-simple) to Redis (connect-redis)',
  checks: [
    {
      name: 'copies live sessions as connect-redis keys with their remaining TTL; expired skipped, malformed reported',
      async run(ctx) {
        await withFixture(ctx, async (fx, keys) => {
          const short = await seedSessions(fx.sql, { count: 50, tableName: fx.tableName, ttlSeconds: 90 });
          const long = await seedSessions(fx.sql, { count: 50, tableName: fx.tableName, ttlSeconds: 86_400 });
          const expired = await seedSessions(fx.sql, { count: 20, tableName: fx.tableName, ttlSeconds: -60 });
          const bad: [string, string][] = [
            ['bad-text', '"just text"'],
            ['bad-array', '[1,2]'],
            ['bad-nocookie', '{"user":"x"}'],
          ];
          for (const [sid, sess] of bad) {
            await fx.sql.query(`INSERT INTO "${fx.tableName}" VALUES ($1, $2, now() + interval '1 hour')`, [sid, sess]);
          }
          keys.push(...[...short, ...long, ...expired].map((sid) => fx.prefix + sid));

          const copyStarted = performance.now();
          const report = await copySessions(ctx.client, { ...copyOptions(ctx, fx), batchSize: 40 });
          const copyMs = performance.now() - copyStarted;
          assert.equal(report.copied, 100);
          assert.equal(report.expired, 20);
          assert.equal(report.alreadyPresent, 0);
          assert.deepEqual(report.malformed.map((m) => m.sid).sort(), bad.map(([sid]) => sid).sort());
          assert.equal(report.completed, true);
          assert.equal(await ctx.client.exists(checkpointKey(ctx)), 0, 'a finished copy clears its checkpoint');
          assert.equal(
            await existingKeys(
              ctx.client,
              expired.map((sid) => fx.prefix + sid),
            ),
            0,
          );
          assert.equal(
            await existingKeys(
              ctx.client,
              bad.map(([sid]) => fx.prefix + sid),
            ),
            0,
          );

          for (const sid of [...short.slice(0, 10), ...long.slice(0, 10)]) {
            const { sess, value } = await assertCarriedTtl(ctx, fx, sid, copyMs);
            assert.equal(value, JSON.stringify(JSON.parse(sess)), 'the same session, as compact JSON');
          }
        });
      },
    },
    {
      name: '10,000 sessions copied, none lost',
      async run(ctx) {
        await withFixture(ctx, async (fx, keys) => {
          const sids = await seedSessions(fx.sql, { count: 10_000, tableName: fx.tableName });
          keys.push(...sids.map((sid) => fx.prefix + sid));
          const report = await copySessions(ctx.client, { ...copyOptions(ctx, fx), checkpoint: false });
          assert.equal(report.copied, 10_000);
          assert.equal(report.batches, 10);
          assert.equal(await existingKeys(ctx.client, keys), 10_000);
        });
      },
    },
    {
      name: 'a copy stopped half-way resumes from its checkpoint and ends with every session once, newer ones kept',
      async run(ctx) {
        await withFixture(ctx, async (fx, keys) => {
          const sids = (await seedSessions(fx.sql, { count: 1000, tableName: fx.tableName })).sort();
          keys.push(...sids.map((sid) => fx.prefix + sid));
          const options = { ...copyOptions(ctx, fx), batchSize: 100 };
          const stop = new AbortController();
          const first = await copySessions(ctx.client, {
            ...options,
            signal: stop.signal,
            onProgress: (p) => {
              if (p.scanned >= 500) stop.abort();
            },
          });
          assert.equal(first.completed, false);
          assert.equal(first.copied, 500);
          assert.equal(await ctx.client.get(checkpointKey(ctx)), first.lastSid);
          assert.ok((await ctx.client.ttl(checkpointKey(ctx))) > 0, 'the checkpoint has a TTL');

          // Meanwhile the cutover store saved newer data for one copied and one not yet copied session.
          const newer = JSON.stringify({ cookie: { expires: null }, user: { name: 'newer' } });
          for (const sid of [sids[10], sids[900]] as string[]) await ctx.client.set(fx.prefix + sid, newer, 'EX', 600);

          const second = await copySessions(ctx.client, options);
          assert.equal(second.completed, true);
          assert.equal(second.resumedFrom, first.lastSid);
          assert.equal(second.scanned, 500, 'the second run reads only what the first did not finish');
          assert.equal(second.copied, 499);
          assert.equal(second.alreadyPresent, 1);
          assert.equal(
            await ctx.client.get(fx.prefix + sids[900]),
            newer,
            'a newer session in Redis is never overwritten',
          );
          assert.equal(await existingKeys(ctx.client, keys), 1000);

          const rerun = await copySessions(ctx.client, options);
          assert.equal(rerun.resumedFrom, undefined, 'a finished copy starts over');
          assert.equal(rerun.copied, 0);
          assert.equal(rerun.alreadyPresent, 1000);
          assert.equal(await ctx.client.get(fx.prefix + sids[10]), newer);
        });
      },
    },
    {
      name: 'a dry run counts what it would copy and writes nothing',
      async run(ctx) {
        await withFixture(ctx, async (fx, keys) => {
          const sids = await seedSessions(fx.sql, { count: 300, tableName: fx.tableName });
          await seedSessions(fx.sql, { count: 7, tableName: fx.tableName, ttlSeconds: -1 });
          keys.push(...sids.map((sid) => fx.prefix + sid));
          await ctx.client.set(keys[0] as string, '{"cookie":{}}', 'EX', 60);
          const report = await copySessions(ctx.client, { ...copyOptions(ctx, fx), batchSize: 100, dryRun: true });
          assert.equal(report.dryRun, true);
          assert.equal(report.copied, 299);
          assert.equal(report.alreadyPresent, 1);
          assert.equal(report.expired, 7);
          assert.equal(await existingKeys(ctx.client, keys), 1);
          assert.equal(await ctx.client.exists(checkpointKey(ctx)), 0);
        });
      },
    },
    {
      name: 'a session logged out while its batch was in flight is not brought back',
      async run(ctx) {
        await withFixture(ctx, async (fx, keys) => {
          const sids = (await seedSessions(fx.sql, { count: 50, tableName: fx.tableName })).sort();
          keys.push(...sids.map((sid) => fx.prefix + sid));
          const loggedOut = sids[20] as string;
          let deleted = false;
          // The logout lands between the copier's read of the batch and its write.
          const legacy: SqlClient = {
            async query(text, params) {
              const result = await fx.sql.query(text, params);
              if (!deleted && /ORDER BY sid/.test(text)) {
                deleted = true;
                await fx.table.remove(loggedOut);
              }
              return result;
            },
          };
          const report = await copySessions(ctx.client, { ...copyOptions(ctx, fx), legacy, checkpoint: false });
          assert.equal(report.vanished, 1);
          assert.equal(report.copied, 49);
          assert.equal(await ctx.client.exists(fx.prefix + loggedOut), 0);
          assert.equal(await existingKeys(ctx.client, keys), 49);
        });
      },
    },
    {
      name: 'cutover store: reads Redis first, else PostgreSQL written through with its TTL; writes to Redis; destroy removes both',
      async run(ctx) {
        const nodeRedis = await nodeRedisFor(ctx.target);
        try {
          await withFixture(ctx, async (fx, keys) => {
            const [legacyOnly, other] = await seedSessions(fx.sql, {
              count: 2,
              tableName: fx.tableName,
              ttlSeconds: 3600,
            });
            const redisStore = new RedisStore({ client: nodeRedis, prefix: fx.prefix });
            const store = createCutoverStore(redisStore, { legacy: fx.sql, tableName: fx.tableName });
            keys.push(`${fx.prefix}${legacyOnly}`, `${fx.prefix}${other}`, `${fx.prefix}fresh`);

            const getStarted = performance.now();
            const loaded = await storeCall<SessionData | null>((cb) => store.get(legacyOnly as string, cb));
            const { sess } = await assertCarriedTtl(ctx, fx, legacyOnly as string, performance.now() - getStarted);
            assert.deepEqual(loaded, JSON.parse(sess), 'written through with its TTL');
            assert.deepEqual(store.stats, { fromRedis: 0, fromLegacy: 1, notFound: 0 });

            const changed = { ...(loaded as SessionData), views: 99 } as SessionData;
            await storeCall((cb) => store.set(legacyOnly as string, changed, cb));
            assert.equal(JSON.parse(String(await ctx.client.get(fx.prefix + legacyOnly))).views, 99);
            assert.deepEqual(await storeCall((cb) => store.get(legacyOnly as string, cb)), changed);
            assert.equal(store.stats.fromRedis, 1);

            const fresh = {
              cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000) },
            } as unknown as SessionData;
            await storeCall((cb) => store.set('fresh', fresh, cb));
            assert.ok(
              await fx.table.find('fresh').then((r) => r === undefined),
              'new sessions are not written to PostgreSQL',
            );

            await storeCall((cb) => store.destroy(legacyOnly as string, cb));
            assert.equal(await ctx.client.exists(fx.prefix + legacyOnly), 0);
            assert.equal(await fx.table.find(legacyOnly as string), undefined, 'destroy also deletes the row');
            assert.equal(await storeCall((cb) => store.get(legacyOnly as string, cb)), null);
            assert.equal(await storeCall((cb) => store.get('never-existed', cb)), null);
          });
        } finally {
          await nodeRedis.close();
        }
      },
    },
    {
      name: 'cluster: the copier groups keys by the slots the server reports',
      topology: 'cluster',
      async run({ client, prefix }) {
        for (let i = 0; i < 200; i++) {
          const key = i % 4 === 0 ? `${prefix}{tag${i}}:x` : `${prefix}:sess:${randomBytes(9).toString('base64url')}`;
          assert.equal(keySlot(key), await client.cluster('KEYSLOT', key), key);
        }
      },
    },
  ],
});
