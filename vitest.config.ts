import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources (each package's `source` export), so tests need no build.
const packages = readdirSync('packages')
  .filter((dir) => existsSync(join('packages', dir, 'package.json')))
  .map((dir) => {
    const manifest = JSON.parse(readFileSync(join('packages', dir, 'package.json'), 'utf8'));
    return { find: manifest.name as string, replacement: resolve('packages', dir, manifest.exports['.'].source) };
  });

/** Pure logic: no server, no server binary, no network. `npm run test:unit` runs only these. */
const UNIT = ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'harness/test/unit/**/*.test.ts'];

export default defineConfig({
  resolve: { alias: packages },
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
