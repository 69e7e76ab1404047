/**
 * Session migration (workflow 3): the bulk copier, the cutover store and the rollback on every target, each check
 * against both legacy databases holding the connect-pg-simple table: PGlite (PostgreSQL in WASM, in process) and a
 * real PostgreSQL the harness starts (Debian's 15, a private cluster: targets/postgres.ts). Each check gets its own
 * table and key prefix. On the cluster the copier sends one pipeline per node; the check notes which path ran.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { withTimeout } from '@redis-agent-kit/patterns';
import { keySlot } from '@redis-agent-kit/patterns/cluster';
import {
  type CopySessionsOptions,
  type CutoverStore,
  copySessions,
  createCutoverStore,
  createRedisCheckpoint,
  markerKey,
  resetCutover,
  type SqlClient,
} from '@redis-agent-kit/patterns/session';
import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import { Cluster } from 'ioredis';
import { seedSessions } from '../../../examples/session-migration/src/seed.ts';
import { type Check, defineSuite, type SuiteContext } from '../matrix/suite.ts';
import {
  assertCarriedTtl,
  eventually,
  existingKeys,
  insertRow,
  LEGACY_KINDS,
  type LegacyFixture,
  type LegacyKind,
  nodeRedisFor,
  sessionData,
  storeCall,
  switchableLegacy,
  withFixture,
} from './session-migration-fixtures.ts';
import { DELIBERATE, type DifferentialContext, STEPS } from './session-store-differential.ts';

export { existingKeys, unlinkAll } from './session-migration-fixtures.ts';

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

function notePath(ctx: SuiteContext): void {
  ctx.note(ctx.client instanceof Cluster ? 'pipeline per cluster node' : 'one pipeline per batch');
}

/**
 * A cutover store on this target over `legacy` (default: the fixture's table), with the node-redis client the
 * example uses; the client is closed after `run`. Warnings are collected, not printed.
 */
async function withCutover(
  ctx: SuiteContext,
  fx: LegacyFixture,
  run: (store: CutoverStore, warnings: string[]) => Promise<void>,
  options: { legacy?: SqlClient; retryIntervalMs?: number } = {},
): Promise<void> {
  const redis = await nodeRedisFor(ctx.target);
  const warnings: string[] = [];
  try {
    const store = createCutoverStore(new RedisStore({ client: redis.client, prefix: fx.prefix }), {
      legacy: options.legacy ?? fx.sql,
      tableName: fx.tableName,
      onWarning: (message) => warnings.push(message),
      ...(options.retryIntervalMs ? { retryIntervalMs: options.retryIntervalMs } : {}),
    });
    await run(store, warnings);
  } finally {
    await redis.close();
  }
}

/** A store call that must call back: a store that never does (a retry loop) fails the check instead of hanging it. */
function answered<T>(what: string, call: Promise<T>): Promise<T> {
  return withTimeout(call, 10_000, () => new Error(`${what}: the store did not call back within 10 s`));
}

const parsed = async (ctx: SuiteContext, key: string) =>
  JSON.parse(String(await ctx.client.get(key))) as Record<string, unknown>;

/** The checks that use a legacy database, for one kind of it: each runs once per kind and target. */
function legacyChecks(kind: LegacyKind): Check[] {
  const checks: Check[] = [
    {
      name: 'copies live sessions as connect-redis keys with their remaining TTL; expired skipped, malformed and too large reported',
      async run(ctx) {
        notePath(ctx);
        await withFixture(ctx, kind, async (fx, keys) => {
          const short = await seedSessions(fx.sql, { count: 50, tableName: fx.tableName, ttlSeconds: 90 });
          const long = await seedSessions(fx.sql, { count: 50, tableName: fx.tableName, ttlSeconds: 86_400 });
          const expired = await seedSessions(fx.sql, { count: 20, tableName: fx.tableName, ttlSeconds: -60 });
          const bad: [string, string][] = [
            ['bad-text', '"just text"'],
            ['bad-array', '[1,2]'],
            ['bad-nocookie', '{"user":"x"}'],
          ];
          for (const [sid, sess] of bad) await insertRow(fx, sid, sess);
          await insertRow(fx, 'big', JSON.stringify({ cookie: {}, blob: 'x'.repeat(120 * 1024) }));
          keys.push(...[...short, ...long, ...expired, 'big'].map((sid) => fx.prefix + sid));

          const copyStarted = performance.now();
          const report = await copySessions(ctx.client, { ...copyOptions(ctx, fx), batchSize: 40 });
          const copyMs = performance.now() - copyStarted;
          assert.equal(report.copied, 100);
          assert.equal(report.expired, 20);
          assert.equal(report.alreadyPresent, 0);
          assert.deepEqual(report.malformed.map((m) => m.sid).sort(), bad.map(([sid]) => sid).sort());
          assert.deepEqual(
            report.tooLarge.map((t) => t.sid),
            ['big'],
            'a loadable session over the limit is too large, not malformed',
          );
          assert.equal(report.completed, true);
          assert.equal(await ctx.client.exists(checkpointKey(ctx)), 0, 'a finished copy clears its checkpoint');
          const absent = [...expired, ...bad.map(([sid]) => sid), 'big'].map((sid) => fx.prefix + sid);
          assert.equal(await existingKeys(ctx.client, absent), 0);

          for (const sid of [...short.slice(0, 10), ...long.slice(0, 10)]) {
            const { sess, value } = await assertCarriedTtl(ctx, fx, sid, copyMs);
            assert.equal(value, JSON.stringify(JSON.parse(sess)), 'the same session, as compact JSON');
            const markerTtl = await ctx.client.pttl(markerKey(fx.prefix + sid));
            assert.ok(markerTtl > 0, `${sid}: a moved marker with a TTL (${markerTtl} ms)`);
          }
        });
      },
    },
    {
      name: '10,000 sessions copied, none lost',
      async run(ctx) {
        notePath(ctx);
        await withFixture(ctx, kind, async (fx, keys) => {
          const sids = await seedSessions(fx.sql, { count: 10_000, tableName: fx.tableName });
          keys.push(...sids.flatMap((sid) => [fx.prefix + sid, markerKey(fx.prefix + sid)]));
          const report = await copySessions(ctx.client, { ...copyOptions(ctx, fx), checkpoint: false });
          assert.equal(report.copied, 10_000);
          assert.equal(report.batches, 10);
          assert.equal(await existingKeys(ctx.client, keys), 20_000, 'every session and its marker');
        });
      },
    },
    {
      name: 'a copy stopped half-way resumes from its checkpoint and ends with every session once, newer ones kept',
      async run(ctx) {
        notePath(ctx);
        await withFixture(ctx, kind, async (fx, keys) => {
          const sids = (await seedSessions(fx.sql, { count: 1000, tableName: fx.tableName })).sort();
          keys.push(...sids.flatMap((sid) => [fx.prefix + sid, markerKey(fx.prefix + sid)]));
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
          assert.equal(
            await existingKeys(
              ctx.client,
              sids.map((sid) => fx.prefix + sid),
            ),
            1000,
          );

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
        await withFixture(ctx, kind, async (fx, keys) => {
          const sids = await seedSessions(fx.sql, { count: 300, tableName: fx.tableName });
          await seedSessions(fx.sql, { count: 7, tableName: fx.tableName, ttlSeconds: -1 });
          keys.push(...sids.flatMap((sid) => [fx.prefix + sid, markerKey(fx.prefix + sid)]));
          await ctx.client.set(fx.prefix + sids[0], '{"cookie":{}}', 'EX', 60);
          // Moved before and ended since: its marker outlives its key.
          await ctx.client.set(markerKey(fx.prefix + sids[1]), 'ended', 'EX', 60);
          const report = await copySessions(ctx.client, { ...copyOptions(ctx, fx), batchSize: 100, dryRun: true });
          assert.equal(report.dryRun, true);
          assert.equal(report.copied, 298);
          assert.equal(report.alreadyPresent, 1);
          assert.equal(report.ended, 1);
          assert.equal(report.expired, 7);
          assert.equal(await existingKeys(ctx.client, keys), 2, 'only what the check itself wrote');
          assert.equal(await ctx.client.exists(checkpointKey(ctx)), 0);
        });
      },
    },
    {
      name: 'a row deleted by another writer while its batch was in flight is not brought back',
      async run(ctx) {
        await withFixture(ctx, kind, async (fx, keys) => {
          const sids = (await seedSessions(fx.sql, { count: 50, tableName: fx.tableName })).sort();
          keys.push(...sids.flatMap((sid) => [fx.prefix + sid, markerKey(fx.prefix + sid)]));
          const loggedOut = sids[20] as string;
          let deleted = false;
          // A pg store (or pruning) deletes the row between the copier's read of the batch and its write.
          const legacy: SqlClient = {
            async query(text, params) {
              const result = await fx.sql.query(text, params);
              if (!deleted && /ORDER BY sid/.test(text)) {
                deleted = true;
                await fx.table.remove([loggedOut]);
              }
              return result;
            },
          };
          const report = await copySessions(ctx.client, { ...copyOptions(ctx, fx), legacy, checkpoint: false });
          assert.equal(report.vanished, 1);
          assert.equal(report.copied, 49);
          assert.equal(await ctx.client.exists(fx.prefix + loggedOut), 0);
          assert.equal(
            await existingKeys(
              ctx.client,
              sids.map((sid) => fx.prefix + sid),
            ),
            49,
          );
        });
      },
    },
    {
      name: 'a copy while users log in, save and log out through the cutover store loses nothing and brings nothing back',
      async run(ctx) {
        notePath(ctx);
        await withFixture(ctx, kind, async (fx, keys) => {
          const sids = await seedSessions(fx.sql, { count: 3000, tableName: fx.tableName, ttlSeconds: 3600 });
          keys.push(...sids.flatMap((sid) => [fx.prefix + sid, markerKey(fx.prefix + sid)]));
          await withCutover(ctx, fx, async (store) => {
            const saved = new Map<string, number>();
            const loggedOut = new Set<string>();
            const fresh: string[] = [];
            let copying = true;
            let during = 0;
            let ops = 0;
            const writer = async () => {
              // Writes go on while the copy runs, and at least 90 in all (the copy may be quick).
              for (let i = 0; copying || ops < 90; i++, ops++) {
                const sid = sids[(i * 7919) % sids.length] as string;
                if (loggedOut.has(sid) || saved.has(sid)) continue;
                const op = i % 3;
                if (op === 0) {
                  const session = await storeCall<SessionData | null>((cb) => store.get(sid, cb));
                  assert.ok(session, `${sid} loads before it is changed`);
                  await storeCall((cb) => store.set(sid, { ...session, views: 1000 + i } as SessionData, cb));
                  saved.set(sid, 1000 + i);
                } else if (op === 1) {
                  await storeCall<SessionData | null>((cb) => store.get(sid, cb));
                  await storeCall((cb) => store.destroy(sid, cb));
                  loggedOut.add(sid);
                } else {
                  const newSid = `fresh-${i}`;
                  await storeCall((cb) => store.set(newSid, sessionData(600, { user: newSid }), cb));
                  fresh.push(newSid);
                  keys.push(fx.prefix + newSid);
                }
                if (copying) during++;
              }
            };
            const written = writer();
            const report = await copySessions(ctx.client, {
              ...copyOptions(ctx, fx),
              batchSize: 100,
              checkpoint: false,
            });
            copying = false;
            await written;
            assert.equal(report.completed, true);
            assert.ok(during > 0, 'store calls finished while the copy ran');

            for (const sid of loggedOut) {
              assert.equal(await ctx.client.exists(fx.prefix + sid), 0, `${sid} logged out, not brought back`);
              assert.equal(await storeCall((cb) => store.get(sid, cb)), null);
            }
            for (const [sid, views] of saved) {
              assert.equal(
                (await parsed(ctx, fx.prefix + sid)).views,
                views,
                `${sid} keeps the save made during the copy`,
              );
            }
            assert.equal(
              await existingKeys(
                ctx.client,
                fresh.map((sid) => fx.prefix + sid),
              ),
              fresh.length,
            );
            const untouched = sids.filter((sid) => !loggedOut.has(sid) && !saved.has(sid));
            assert.equal(
              await existingKeys(
                ctx.client,
                untouched.map((sid) => fx.prefix + sid),
              ),
              untouched.length,
              'every other session copied',
            );
            assert.ok(loggedOut.size > 0 && saved.size > 0 && fresh.length > 0, 'every kind of write happened');
          });
        });
      },
    },
    {
      name: 'cutover store: reads Redis first, else PostgreSQL written through with its TTL; writes to Redis; destroy removes both',
      async run(ctx) {
        await withFixture(ctx, kind, async (fx, keys) => {
          const [legacyOnly, other] = (await seedSessions(fx.sql, {
            count: 2,
            tableName: fx.tableName,
            ttlSeconds: 3600,
          })) as [string, string];
          keys.push(...[legacyOnly, other, 'fresh'].flatMap((sid) => [fx.prefix + sid, markerKey(fx.prefix + sid)]));
          await withCutover(ctx, fx, async (store) => {
            const getStarted = performance.now();
            const loaded = await storeCall<SessionData | null>((cb) => store.get(legacyOnly, cb));
            const { sess } = await assertCarriedTtl(ctx, fx, legacyOnly, performance.now() - getStarted);
            assert.deepEqual(loaded, JSON.parse(sess), 'written through with its TTL');
            assert.equal(store.stats.fromLegacy, 1);
            assert.equal(store.stats.fromRedis, 0);

            const changed = { ...(loaded as SessionData), views: 99 } as SessionData;
            await storeCall((cb) => store.set(legacyOnly, changed, cb));
            assert.equal((await parsed(ctx, fx.prefix + legacyOnly)).views, 99);
            assert.deepEqual(await storeCall((cb) => store.get(legacyOnly, cb)), JSON.parse(JSON.stringify(changed)));
            assert.equal(store.stats.fromRedis, 1);

            await storeCall((cb) => store.set('fresh', sessionData(60), cb));
            assert.equal(await fx.table.find('fresh'), undefined, 'new sessions are not written to PostgreSQL');

            await storeCall((cb) => store.destroy(legacyOnly, cb));
            assert.equal(await ctx.client.exists(fx.prefix + legacyOnly), 0);
            assert.equal(await fx.table.find(legacyOnly), undefined, 'destroy also deletes the row');
            assert.equal(await storeCall((cb) => store.get(legacyOnly, cb)), null);
            assert.equal(await storeCall((cb) => store.get('never-existed', cb)), null);
          });
        });
      },
    },
    {
      name: 'expiry in Redis is final: a session saved with an expired cookie, or whose key ends before its row, never comes back from PostgreSQL',
      async run(ctx) {
        await withFixture(ctx, kind, async (fx, keys) => {
          const [expiredSave, evicted, shortened] = (await seedSessions(fx.sql, {
            count: 3,
            tableName: fx.tableName,
            ttlSeconds: 3600,
          })) as [string, string, string];
          keys.push(
            ...[expiredSave, evicted, shortened].flatMap((sid) => [fx.prefix + sid, markerKey(fx.prefix + sid)]),
          );
          await withCutover(ctx, fx, async (store) => {
            // Moved on first use, then saved with a cookie that has expired: connect-redis deletes the key.
            const session = await storeCall<SessionData | null>((cb) => store.get(expiredSave, cb));
            assert.ok(session);
            await storeCall((cb) =>
              store.set(expiredSave, { ...session, cookie: sessionData(-10).cookie } as SessionData, cb),
            );
            assert.equal(await ctx.client.exists(fx.prefix + expiredSave), 0, 'connect-redis deleted the key');
            assert.equal(await storeCall((cb) => store.get(expiredSave, cb)), null, 'the row does not answer again');

            // Moved by the bulk copy, then the key is evicted.
            const report = await copySessions(ctx.client, { ...copyOptions(ctx, fx), checkpoint: false });
            assert.equal(report.copied, 2);
            await ctx.client.unlink(fx.prefix + evicted);
            assert.equal(
              await storeCall((cb) => store.get(evicted, cb)),
              null,
              'an evicted key does not bring the row back',
            );

            // Saved with a shorter maxAge than the row's: its key ends first.
            await storeCall((cb) => store.set(shortened, sessionData(2, { views: 5 }), cb));
            assert.ok((await ctx.client.pttl(fx.prefix + shortened)) <= 2000, 'the key got the shorter TTL');
            await ctx.client.pexpire(fx.prefix + shortened, 1);
            await eventually(
              'the shortened key expires',
              async () => (await ctx.client.exists(fx.prefix + shortened)) === 0,
            );
            assert.equal(await storeCall((cb) => store.get(shortened, cb)), null, 'the older row does not answer');
            assert.ok(
              await fx.table.find(shortened),
              'the row is still there: only the marker keeps it from answering',
            );

            const again = await copySessions(ctx.client, { ...copyOptions(ctx, fx), checkpoint: false });
            assert.equal(again.copied, 0, 'the copy does not bring them back either');
            assert.equal(again.ended, 3);
          });
        });
      },
    },
    {
      name: 'a value express-session cannot load ("", "null", not JSON) answers once as no session, with a live row behind it',
      async run(ctx) {
        await withFixture(ctx, kind, async (fx, keys) => {
          const values = ['', 'null', '{"cookie":', '"text"', '[1]'];
          const sids = await seedSessions(fx.sql, { count: values.length, tableName: fx.tableName, ttlSeconds: 3600 });
          keys.push(...sids.flatMap((sid) => [fx.prefix + sid, markerKey(fx.prefix + sid)]));
          await withCutover(ctx, fx, async (store, warnings) => {
            for (const [i, value] of values.entries()) {
              const sid = sids[i] as string;
              await ctx.client.set(fx.prefix + sid, value, 'EX', 600);
              const loaded = await answered(
                `get with ${JSON.stringify(value)} in Redis`,
                storeCall((cb) => store.get(sid, cb)),
              );
              assert.equal(loaded, null, `${JSON.stringify(value)} reads as no session`);
              assert.equal(
                await ctx.client.get(fx.prefix + sid),
                value,
                'the value is left for an operator to look at',
              );
            }
            assert.equal(store.stats.corrupt, values.length);
            assert.equal(warnings.length, values.length, 'each one reported');
            assert.match(warnings[0] ?? '', /cannot load/);
          });
        });
      },
    },
    {
      name: 'Store API parity: the same calls on connect-redis and the cutover store give the same results and TTLs',
      async run(ctx) {
        await withFixture(ctx, kind, async (fx, keys) => {
          const redis = await nodeRedisFor(ctx.target);
          const plainPrefix = `${ctx.prefix}:plain:`;
          const plain = { store: new RedisStore({ client: redis.client, prefix: plainPrefix }), prefix: plainPrefix };
          try {
            await withCutover(ctx, fx, async (cutover) => {
              const sides: Omit<DifferentialContext, 'now'>[] = [
                { ...plain, redis: ctx.client } as Omit<DifferentialContext, 'now'>,
                { store: cutover as never, prefix: fx.prefix, redis: ctx.client },
              ];
              const differences: string[] = [];
              for (const step of STEPS) {
                const now = Date.now();
                const [a, b] = await Promise.all(sides.map((side) => step.run({ ...side, now })));
                if (step.ttlOf) {
                  const [ttlA, ttlB] = await Promise.all(
                    sides.map((side) => ctx.client.pttl(side.prefix + step.ttlOf)),
                  );
                  assert.ok((ttlA as number) > 0 && (ttlB as number) > 0, `${step.name}: both keys have a TTL`);
                  // Both round the cookie's expiry up to whole seconds, at moments up to a few ms apart.
                  assert.ok(
                    Math.abs((ttlA as number) - (ttlB as number)) <= 1500,
                    `${step.name}: TTL ${ttlA} vs ${ttlB} ms`,
                  );
                  continue;
                }
                const deliberate = DELIBERATE.find((d) => d.step === step.name && (!d.cluster || ctx.target.cluster));
                const same = JSON.stringify(a) === JSON.stringify(b);
                if (deliberate) {
                  const compare = deliberate.compare ?? ((x: unknown) => x);
                  assert.deepEqual(
                    compare(b),
                    deliberate.cutover,
                    `${step.name}: the cutover store answers as documented`,
                  );
                  if (!same) differences.push(`${step.name} (${deliberate.why})`);
                  for (const sid of deliberate.align ?? []) await ctx.client.unlink(`${plain.prefix}${sid}`);
                  continue;
                }
                assert.equal(
                  JSON.stringify(b),
                  JSON.stringify(a),
                  `${step.name}: connect-redis and the cutover store differ`,
                );
              }
              // What clear() left (connect-redis' fails on a cluster), and the markers logouts left (60 s TTL).
              const sids = ['e2', 's1', 's2', 's3', 's4', 's5', 's6', 'nope'];
              keys.push(
                ...sids.flatMap((sid) => sides.flatMap((side) => [side.prefix + sid, markerKey(side.prefix + sid)])),
              );
              // The differences themselves are listed in session-store-differential.ts; the matrix cell stays short.
              ctx.note(`Store API: ${differences.length} deliberate differences in ${STEPS.length} steps`);
            });
          } finally {
            await redis.close();
          }
        });
      },
    },
    {
      name: 'with PostgreSQL down, logins and logouts work; the row deletes are made when it is back',
      async run(ctx) {
        await withFixture(ctx, kind, async (fx, keys) => {
          const [moved] = (await seedSessions(fx.sql, { count: 1, tableName: fx.tableName, ttlSeconds: 3600 })) as [
            string,
          ];
          keys.push(
            ...[moved, 'old-anon', 'new-login'].flatMap((sid) => [fx.prefix + sid, markerKey(fx.prefix + sid)]),
          );
          const legacy = switchableLegacy(fx.sql);
          await withCutover(
            ctx,
            fx,
            async (store, warnings) => {
              assert.ok(await storeCall((cb) => store.get(moved, cb)), 'moved while PostgreSQL is up');
              legacy.down = true;
              // Logout: destroy.
              await answered(
                'logout',
                storeCall((cb) => store.destroy(moved, cb)),
              );
              assert.equal(await ctx.client.exists(fx.prefix + moved), 0);
              assert.equal(await storeCall((cb) => store.get(moved, cb)), null, 'logged out, PostgreSQL not needed');
              // Login: regenerate destroys the visitor's session id, then saves the new session.
              await answered(
                'regenerate',
                storeCall((cb) => store.destroy('old-anon', cb)),
              );
              await storeCall((cb) => store.set('new-login', sessionData(600, { user: 'ada' }), cb));
              const login = (await storeCall((cb) => store.get('new-login', cb))) as unknown as {
                user?: string;
              } | null;
              assert.equal(login?.user, 'ada');
              assert.ok(store.stats.pendingLegacyDeletes >= 1);
              assert.ok(await fx.table.find(moved), 'the row is still there while PostgreSQL is down');
              assert.match(warnings.join('\n'), /logouts still work/);

              legacy.down = false;
              await eventually('the postponed row delete', async () => store.stats.pendingLegacyDeletes === 0);
              assert.equal(await fx.table.find(moved), undefined, 'the row is deleted once PostgreSQL answers');
            },
            { legacy, retryIntervalMs: 50 },
          );
        });
      },
    },
    {
      name: 'rollback: resetCutover applies logouts, clears copies and markers; a second cutover serves the table as it is then',
      async run(ctx) {
        await withFixture(ctx, kind, async (fx, keys) => {
          const sids = (await seedSessions(fx.sql, {
            count: 6,
            tableName: fx.tableName,
            ttlSeconds: 3600,
          })) as string[];
          const [changedInCutover, loggedOut, loggedOutWhileDown, loggedOutInRollback, changedInRollback, untouched] =
            sids as [string, string, string, string, string, string];
          keys.push(...sids.flatMap((sid) => [fx.prefix + sid, markerKey(fx.prefix + sid)]));
          const legacy = switchableLegacy(fx.sql);
          // The first cutover: a save, the bulk copy, a logout, a logout while PostgreSQL is down.
          await withCutover(
            ctx,
            fx,
            async (store) => {
              const session = await storeCall<SessionData | null>((cb) => store.get(changedInCutover, cb));
              await storeCall((cb) => store.set(changedInCutover, { ...session, views: 10 } as SessionData, cb));
              assert.equal((await copySessions(ctx.client, copyOptions(ctx, fx))).copied, 5);
              await storeCall((cb) => store.destroy(loggedOut, cb));
              legacy.down = true;
              await storeCall((cb) => store.destroy(loggedOutWhileDown, cb));
            },
            { legacy, retryIntervalMs: 60_000 },
          );
          assert.ok(await fx.table.find(loggedOutWhileDown), 'its row delete could not be made');
          // Rolled back: the pg store serves the table again; a logout and a save there write only rows.
          await fx.table.remove([loggedOutInRollback]);
          await fx.sql.query(
            `UPDATE ${fx.table.name} SET sess = json_build_object('cookie', sess->'cookie', 'views', 77) WHERE sid = $1`,
            [changedInRollback],
          );

          const reset = await resetCutover(ctx.client, {
            legacy: fx.sql,
            tableName: fx.tableName,
            prefix: fx.prefix,
            checkpoint: createRedisCheckpoint(ctx.client, { key: checkpointKey(ctx) }),
          });
          assert.deepEqual(
            { sessions: reset.sessions, markers: reset.markers, logoutsApplied: reset.logoutsApplied },
            { sessions: 4, markers: 6, logoutsApplied: 2 },
          );
          assert.equal(
            await fx.table.find(loggedOutWhileDown),
            undefined,
            'the logout made while PostgreSQL was down is applied',
          );
          assert.equal(await existingKeys(ctx.client, keys), 0, 'no copy and no marker left');

          // The second cutover starts from the table as the rollback left it.
          await withCutover(ctx, fx, async (store) => {
            const get = (sid: string) => storeCall<SessionData | null>((cb) => store.get(sid, cb));
            const views = async (sid: string) => ((await get(sid)) as { views?: number } | null)?.views;
            for (const sid of [loggedOut, loggedOutWhileDown, loggedOutInRollback]) {
              assert.equal(await get(sid), null, `${sid} stays logged out`);
            }
            assert.equal(await views(changedInRollback), 77, 'the rollback’s save, not the old copy');
            assert.notEqual(
              await views(changedInCutover),
              10,
              'the table’s version: the cutover’s save went with the rollback',
            );
            assert.ok(await get(untouched));
            const copy = await copySessions(ctx.client, copyOptions(ctx, fx));
            assert.equal(copy.copied, 0, 'everything left was moved on first use');
          });
        });
      },
    },
    {
      name: 'sessions over maxValueBytes are reported too large, moved by the cutover store on first use, copied with a higher limit',
      async run(ctx) {
        await withFixture(ctx, kind, async (fx, keys) => {
          const blob = 'x'.repeat(110 * 1024);
          for (const sid of ['big-a', 'big-b']) {
            await insertRow(fx, sid, JSON.stringify({ cookie: { originalMaxAge: 3600_000 }, user: sid, blob }));
            keys.push(fx.prefix + sid, markerKey(fx.prefix + sid));
          }
          const first = await copySessions(ctx.client, { ...copyOptions(ctx, fx), checkpoint: false });
          assert.deepEqual(
            first.tooLarge.map((t) => t.sid),
            ['big-a', 'big-b'],
          );
          assert.deepEqual(first.malformed, []);
          await withCutover(ctx, fx, async (store) => {
            const loaded = (await storeCall((cb) => store.get('big-a', cb))) as unknown as { user?: string } | null;
            assert.equal(loaded?.user, 'big-a', 'moved on its first request');
          });
          const raised = await copySessions(ctx.client, {
            ...copyOptions(ctx, fx),
            checkpoint: false,
            maxValueBytes: 200_000,
          });
          assert.equal(raised.copied, 1);
          assert.equal(raised.alreadyPresent, 1);
          assert.equal(
            await existingKeys(
              ctx.client,
              ['big-a', 'big-b'].map((sid) => fx.prefix + sid),
            ),
            2,
          );
        });
      },
    },
  ];
  return checks.map((check) => ({ ...check, name: `${check.name} · ${kind}` }));
}

export default defineSuite({
  id: 'session-migration',
  title: 'Session migration: PostgreSQL (connect-pg-simple) to Redis (connect-redis)',
  checks: [
    ...LEGACY_KINDS.flatMap(legacyChecks),
    {
      name: 'cluster: the copier groups keys by the slots the server reports, and each moved marker shares its session key’s slot',
      topology: 'cluster',
      async run({ client, prefix }) {
        for (let i = 0; i < 200; i++) {
          const key = i % 4 === 0 ? `${prefix}{tag${i}}:x` : `${prefix}:sess:${randomBytes(9).toString('base64url')}`;
          assert.equal(keySlot(key), await client.cluster('KEYSLOT', key), key);
          assert.equal(
            await client.cluster('KEYSLOT', markerKey(key)),
            await client.cluster('KEYSLOT', key),
            markerKey(key),
          );
        }
      },
    },
  ],
});
