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
import { type BenchRow, compare, defineBenchmark } from '../benchmark.ts';

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
    const count = Math.max(1000, Math.round(100_000 * scale));
    const legacy = await openLegacyDatabase({ pglitePort: 0 });
    const redis = await connect(targetConnection(target));
    try {
      log(`seeding ${count} sessions`);
      const sids = await seedSessions(legacy.pool, { count });
      const table = new LegacySessionTable(legacy.pool);
      const measure = async (subject: string, prefix: string, copy: (prefix: string) => Promise<unknown>) => {
        const seconds = await secondsOf(() => copy(prefix));
        const keys = sids.map((sid) => prefix + sid);
        const lost = count - (await existingKeys(redis, keys));
        await unlinkAll(redis, [...keys, ...keys.map(markerKey)]);
        log(`${subject}: ${count} in ${seconds.toFixed(2)} s, ${lost} lost`);
        return { rate: count / seconds, lost };
      };
      // Alternate the two, best of two each, so neither always runs on a colder process or a busier machine.
      const naive = [];
      const bulk = [];
      const reads = [];
      for (let round = 0; round < 2; round++) {
        reads.push({ rate: count / (await secondsOf(() => readOnly(table))) });
        naive.push(await measure('naive copy', 'rak:bench:naive:', (prefix) => naiveCopy(table, redis, prefix)));
        bulk.push(
          await measure('bulk copier', 'rak:bench:copier:', (prefix) =>
            copySessions(redis, { legacy: legacy.pool, prefix, checkpoint: false }),
          ),
        );
      }
      const best = (runs: { rate: number }[]) => Math.max(...runs.map((run) => run.rate));
      const anchor: BenchRow = {
        subject: 'naive copy, one SET per round trip (anchor)',
        metric: 'sessions/s',
        value: best(naive),
        unit: 'sessions/s',
      };
      const ceiling: BenchRow = {
        subject: 'reading the table alone (ceiling)',
        metric: 'sessions/s',
        value: best(reads),
        unit: 'sessions/s',
      };
      const copier: BenchRow = { subject: 'bulk copier', metric: 'sessions/s', value: best(bulk), unit: 'sessions/s' };
      const lost = Math.max(...bulk.map((run) => run.lost));
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
        notes: [`${count} sessions per copy; the anchor lost ${Math.max(...naive.map((run) => run.lost))}`],
      };
    } finally {
      await closeClient(redis);
      await legacy.close();
    }
  },
});
