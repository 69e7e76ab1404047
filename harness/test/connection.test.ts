import connectionSuite from '../src/suites/connection.suite.ts';
import { conformanceTests } from '../src/vitest/index.ts';

conformanceTests(connectionSuite);
