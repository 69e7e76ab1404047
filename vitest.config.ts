import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources (each package's `source` export), so tests need no build.
const packages = readdirSync('packages')
  .filter((dir) => existsSync(join('packages', dir, 'package.json')))
  .map((dir) => {
    const manifest = JSON.parse(readFileSync(join('packages', dir, 'package.json'), 'utf8'));
    return { find: manifest.name as string, replacement: resolve('packages', dir, manifest.exports['.'].source) };
  });

export default defineConfig({
  resolve: { alias: packages },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'harness/test/**/*.test.ts'],
    globalSetup: ['harness/src/vitest/global-setup.ts'],
    reporters: ['default', './harness/src/vitest/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
