import agentMemorySuite from '../src/suites/agent-memory.suite.ts';
import { conformanceTests } from '../src/vitest/index.ts';

conformanceTests(agentMemorySuite);
