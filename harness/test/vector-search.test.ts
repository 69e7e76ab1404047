import vectorSearchSuite from '../src/suites/vector-search.suite.ts';
import { conformanceTests } from '../src/vitest/index.ts';

conformanceTests(vectorSearchSuite);
