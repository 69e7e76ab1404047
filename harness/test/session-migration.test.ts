import { afterAll } from 'vitest';
import { closeLegacyDatabases } from '../src/suites/session-migration-fixtures.ts';
import suite from '../src/suites/session-migration.suite.ts';
import { conformanceTests } from '../src/vitest/index.ts';

conformanceTests(suite);
// The PostgreSQL server this file's checks started (and PGlite) go with it, failed checks or not.
afterAll(closeLegacyDatabases);
