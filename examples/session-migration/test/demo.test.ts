/** The first run's demo sessions (src/demo.ts), on PGlite in process: only an empty table of the embedded database gets them. */
import { PGlite } from '@electric-sql/pglite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedDemoSessions } from '../src/demo.ts';
import { sessionTableSql } from '../src/legacy-db.ts';

describe('seedDemoSessions', () => {
  let db: PGlite;
  const count = async () => ((await db.query('SELECT count(*)::int AS n FROM session')).rows[0] as { n: number }).n;
  const embedded = { databaseUrl: undefined, demoSessions: 100, tableName: 'session' };

  beforeEach(async () => {
    db = await PGlite.create('memory://');
    await db.exec(sessionTableSql('session'));
  });
  afterEach(() => db.close());

  it('fills an empty embedded table once, with sessions express-session can load', async () => {
    expect(await seedDemoSessions(db, embedded)).toBe(100);
    expect(await count()).toBe(100);
    const { rows } = await db.query('SELECT sess FROM session LIMIT 1');
    expect((rows[0] as { sess: { cookie: { expires: string }; user: { name: string } } }).sess).toMatchObject({
      cookie: { expires: expect.any(String) },
      user: { name: expect.stringMatching(/^user-/) },
    });
    expect(await seedDemoSessions(db, embedded)).toBe(0);
    expect(await count()).toBe(100);
  });

  it('leaves a real PostgreSQL (DATABASE_URL) and DEMO_SESSIONS=0 alone', async () => {
    expect(await seedDemoSessions(db, { ...embedded, databaseUrl: 'postgres://db.internal/app' })).toBe(0);
    expect(await seedDemoSessions(db, { ...embedded, demoSessions: 0 })).toBe(0);
    expect(await count()).toBe(0);
  });
});
