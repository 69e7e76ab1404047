import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Every export of a workspace package (`@redis-agent-kit/patterns`, `…/patterns/cache`, …) mapped to the TypeScript
 * source its `source` condition names, so tests need no build. An alias per subpath rather than the `source`
 * condition itself: vitest hands its conditions to the worker processes as `--conditions`, and under that name
 * Node would also pick the TypeScript sources that eventsource and eventsource-parser (used by the MCP SDK's
 * clients) publish, which it refuses to load from node_modules.
 */
const sources = readdirSync('packages')
  .filter((dir) => existsSync(join('packages', dir, 'package.json')))
  .flatMap((dir) => {
    const manifest = JSON.parse(readFileSync(join('packages', dir, 'package.json'), 'utf8'));
    return Object.entries(manifest.exports as Record<string, string | { source?: string }>).flatMap(([subpath, target]) =>
      typeof target === 'object' && target.source
        ? [{ find: `${manifest.name}${subpath.slice(1)}`, replacement: resolve('packages', dir, target.source) }]
        : [],
    );
  })
  // Exact names only: a plain alias also matches `name/…`, which would send `…/patterns/cache` to `index.ts/cache`.
  .map(({ find, replacement }) => ({ find: new RegExp(`^${find.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`), replacement }));

export default defineConfig({
  resolve: { alias: sources },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'harness/test/**/*.test.ts'],
    globalSetup: ['harness/src/vitest/global-setup.ts'],
    reporters: ['default', './harness/src/vitest/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
