import suite from '../src/suites/mcp-server.suite.ts';
import { conformanceTests } from '../src/vitest/index.ts';

conformanceTests(suite);
