import { configDefaults, defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through each package's `source` export condition
// (subpaths included), so tests need no build.

/** Pure logic: no server, no server binary, no network. `npm run test:unit` runs only these. */
const UNIT = ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'harness/test/unit/**/*.test.ts'];

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    reporters: ['default', './harness/src/vitest/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      {
        // Real servers: the global setup starts the targets once for this project only.
        extends: true,
        test: {
          name: 'integration',
          include: ['harness/test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'harness/test/unit/**'],
          globalSetup: ['harness/src/vitest/global-setup.ts'],
        },
      },
    ],
  },
});
