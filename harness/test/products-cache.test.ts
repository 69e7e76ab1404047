import suite from '../src/suites/products-cache.suite.ts';
import { conformanceTests } from '../src/vitest/index.ts';

conformanceTests(suite);
