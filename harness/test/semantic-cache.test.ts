import semanticCacheSuite from '../src/suites/semantic-cache.suite.ts';
import { conformanceTests } from '../src/vitest/index.ts';

conformanceTests(semanticCacheSuite);
