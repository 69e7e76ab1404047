import suite from '../src/suites/session-migration.suite.ts';
import { conformanceTests } from '../src/vitest/index.ts';

conformanceTests(suite);
