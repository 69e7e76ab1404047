import keyAuditSuite from '../src/suites/key-audit.suite.ts';
import { conformanceTests } from '../src/vitest/index.ts';

conformanceTests(keyAuditSuite);
