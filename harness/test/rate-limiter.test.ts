import rateLimiterSuite from '../src/suites/rate-limiter.suite.ts';
import { conformanceTests } from '../src/vitest/index.ts';

conformanceTests(rateLimiterSuite);
