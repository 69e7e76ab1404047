/**
 * Where the PostgreSQL provider finds its server binaries, and what it says when there are none: a failure that
 * says how to get them (never a silent skip of the PostgreSQL half of the session suite).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresMissingError, postgresBinDir } from '../../src/targets/postgres.ts';

const empty = mkdtempSync(join(tmpdir(), 'rak-pg-bin-'));
const fake = mkdtempSync(join(tmpdir(), 'rak-pg-bin-'));
for (const name of ['initdb', 'postgres']) writeFileSync(join(fake, name), '');
afterAll(() => {
  rmSync(empty, { recursive: true, force: true });
  rmSync(fake, { recursive: true, force: true });
});

describe('postgresBinDir', () => {
  it('takes PG_BINDIR when it holds initdb and postgres', () => {
    expect(postgresBinDir({ PG_BINDIR: fake })).toBe(fake);
  });

  it('refuses a PG_BINDIR without the binaries, saying how to install them', () => {
    expect(() => postgresBinDir({ PG_BINDIR: empty })).toThrow(PostgresMissingError);
    expect(() => postgresBinDir({ PG_BINDIR: empty })).toThrow(/apt-get install postgresql/);
  });

  it('finds them on PATH when it must', () => {
    // /usr/lib/postgresql may exist on this machine and wins; only without it does PATH decide.
    const found = postgresBinDir({ PATH: `${empty}:${fake}` });
    expect(found === fake || found.startsWith('/usr/lib/postgresql/')).toBe(true);
  });
});
