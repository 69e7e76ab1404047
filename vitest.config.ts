import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through each package's `source` export condition
// (subpaths included), so tests need no build.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  // The global setup runs in vitest's own environment, which does not inherit `resolve` above.
  environments: { __vitest__: { resolve: { conditions: ['source'], externalConditions: ['source'] } } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'harness/test/**/*.test.ts'],
    globalSetup: ['harness/src/vitest/global-setup.ts'],
    reporters: ['default', './harness/src/vitest/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
