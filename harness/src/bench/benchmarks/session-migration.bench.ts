/**
 * Sessions copied per second from a connect-pg-simple table (PGlite served over the wire, read with `pg`) to
 * connect-redis keys: the bulk copier (keyset batches of 1000, one pipelined script per session writing the key
 * with its moved marker, one pipeline per node on a cluster) against a naive copy of the same rows, one SET per
 * round trip (no marker), and against reading the rows alone
 * (the ceiling: the copy cannot be faster than its source; PGlite runs in this process, so it shares the CPU).
 * After each copy every row's key is checked: the count lost must be 0.
 */
import { closeClient, connect, type RedisClient } from '@redis-agent-kit/patterns';
import { COPY_DEFAULTS, copySessions, markerKey } from '@redis-agent-kit/patterns/session';
// Internals, by path: the benchmark reads the table the way the copier does.
import { LegacySessionTable } from '../../../../packages/patterns/src/session/legacy-table.ts';
import { judgeRow, type LegacyRow } from '../../../../packages/patterns/src/session/session-row.ts';
import { openLegacyDatabase } from '../../../../examples/session-migration/src/legacy-db.ts';
import { seedSessions } from '../../../../examples/session-migration/src/seed.ts';
import { existingKeys, unlinkAll } from '../../suites/session-migration.suite.ts';
import { targetConnection } from '../../targets/describe.ts';
import { alternatingRounds, type BenchRow, compare, defineBenchmark, measured } from '../benchmark.ts';

/** Every row of the table, read in keyset batches of 1000 one after the other (no read ahead). */
async function* batches(table: LegacySessionTable): AsyncGenerator<LegacyRow[]> {
  let rows = await table.batch(undefined, 1000);
  while (rows.length > 0) {
    yield rows;
    rows = await table.batch(rows.at(-1)?.sid, 1000);
  }
}

/** The ceiling: reading and checking the rows the same way, writing nothing. */
async function readOnly(table: LegacySessionTable): Promise<void> {
  for await (const rows of batches(table)) for (const row of rows) judgeRow(row, COPY_DEFAULTS.maxValueBytes);
}

/** The anchor: what a hand-written migration script usually does. */
async function naiveCopy(table: LegacySessionTable, redis: RedisClient, prefix: string): Promise<void> {
  for await (const rows of batches(table)) {
    for (const row of rows) {
      if (row.sess !== null && row.ttl_ms !== null && row.ttl_ms >= 1) {
        await redis.set(prefix + row.sid, JSON.stringify(JSON.parse(row.sess)), 'PX', Math.floor(row.ttl_ms));
      }
    }
  }
}

/** Seconds `run` took. */
async function secondsOf(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
}

export default defineBenchmark({
  id: 'session-migration',
  title: 'Session bulk copy, PostgreSQL (PGlite) to Redis: sessions per second and sessions lost',
  targets: ['redis-8', 'redis-cluster'],
  async run({ target, scale, log }) {
    const count = Math.max(1000, Math.round(50_000 * scale));
    const legacy = await openLegacyDatabase({ pglitePort: 0 });
    const redis = await connect(targetConnection(target));
    try {
      log(`seeding ${count} sessions`);
      const sids = await seedSessions(legacy.pool, { count });
      const table = new LegacySessionTable(legacy.pool);
      const lostBy = { naive: 0, bulk: 0 };
      const measure =
        (name: keyof typeof lostBy, prefix: string, copy: (prefix: string) => Promise<unknown>) => async () => {
          const seconds = await secondsOf(() => copy(prefix));
          const keys = sids.map((sid) => prefix + sid);
          const lost = count - (await existingKeys(redis, keys));
          // The copier also wrote each session's moved marker.
          await unlinkAll(redis, [...keys, ...keys.map(markerKey)]);
          lostBy[name] = Math.max(lostBy[name], lost);
          log(`${name}: ${count} in ${seconds.toFixed(2)} s, ${lost} lost`);
          return count / seconds;
        };
      // Alternating rounds, so no copy always runs on a colder process or a busier machine.
      const rounds = await alternatingRounds({
        read: async () => count / (await secondsOf(() => readOnly(table))),
        naive: measure('naive', 'rak:bench:naive:', (prefix) => naiveCopy(table, redis, prefix)),
        bulk: measure('bulk', 'rak:bench:copier:', (prefix) =>
          copySessions(redis, { legacy: legacy.pool, prefix, checkpoint: false }),
        ),
      });
      const anchor = measured('naive copy, one SET per round trip (anchor)', 'sessions/s', 'sessions/s', rounds.naive);
      const ceiling = measured('reading the table alone (ceiling)', 'sessions/s', 'sessions/s', rounds.read);
      const copier = measured('bulk copier', 'sessions/s', 'sessions/s', rounds.bulk);
      const lost = lostBy.bulk;
      const lostRow: BenchRow = {
        subject: 'bulk copier',
        metric: 'sessions lost',
        value: lost,
        unit: 'sessions',
        goal: '= 0',
        met: lost === 0,
      };
      return {
        rows: [anchor, ceiling, compare(copier, anchor), compare(copier, ceiling), lostRow],
        notes: [`${count} sessions per copy, in every round; the anchor lost at most ${lostBy.naive}`],
      };
    } finally {
      await closeClient(redis);
      await legacy.close();
    }
  },
});
