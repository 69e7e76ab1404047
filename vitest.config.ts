import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Workspace packages and each of their subpaths resolve to their TypeScript sources (the `source` entry of every
 * export), so tests need no build. An alias per export, not the `source` condition: that condition would also pick
 * the TypeScript sources some packages in node_modules ship, which Node does not run.
 */
const workspaceSources = readdirSync('packages')
  .filter((dir) => existsSync(join('packages', dir, 'package.json')))
  .flatMap((dir) => {
    const manifest = JSON.parse(readFileSync(join('packages', dir, 'package.json'), 'utf8'));
    return Object.entries(manifest.exports as Record<string, { source?: string } | string>)
      .filter((entry): entry is [string, { source: string }] => typeof entry[1] === 'object' && !!entry[1].source)
      .map(([subpath, target]) => ({
        find: new RegExp(`^${`${manifest.name}${subpath.slice(1)}`.replace(/[/.]/g, '\\$&')}$`),
        replacement: resolve('packages', dir, target.source),
      }));
  });

/** Pure logic: no server, no server binary, no network. `npm run test:unit` runs only these. */
const UNIT = ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'harness/test/unit/**/*.test.ts'];

export default defineConfig({
  resolve: { alias: workspaceSources },
  test: {
    reporters: ['default', './harness/src/vitest/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    // Integration files mostly wait (on servers, child processes, timers), so more files than cores run at once:
    // vitest's default (cores - 1) ran them one at a time on 2 cores, 552 s against 222 s with 3.
    maxWorkers: Math.max(3, availableParallelism() - 1),
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
