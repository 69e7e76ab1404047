import jobQueueSuite from '../src/suites/job-queue.suite.ts';
import { conformanceTests } from '../src/vitest/index.ts';

conformanceTests(jobQueueSuite);
