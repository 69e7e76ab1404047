/** The monorepo's manifests promise only what exists: export targets are files, turbo tasks are scripts it runs. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const readJson = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));

interface Manifest {
  name: string;
  scripts?: Record<string, string>;
  exports?: unknown;
}

const workspaces: { dir: string; manifest: Manifest }[] = (readJson('package.json').workspaces as string[])
  .flatMap((pattern) =>
    pattern.endsWith('/*')
      ? readdirSync(join(ROOT, dirname(pattern))).map((name) => join(dirname(pattern), name))
      : [pattern],
  )
  .filter((dir) => existsSync(join(ROOT, dir, 'package.json')))
  .map((dir) => ({ dir, manifest: readJson(join(dir, 'package.json')) as Manifest }));

/** Every file path an `exports` map points at, conditions included. */
function targets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (exports && typeof exports === 'object') return Object.values(exports).flatMap(targets);
  return [];
}

describe('workspace manifests', () => {
  it('finds the workspaces', () => {
    expect(workspaces.map((w) => w.manifest.name)).toEqual(
      expect.arrayContaining(['@redis-agent-kit/patterns', '@redis-agent-kit/mcp-server', '@redis-agent-kit/harness']),
    );
  });

  it.each(workspaces.map((w) => [w.manifest.name, w] as const))('%s exports only paths that exist', (_name, w) => {
    for (const target of targets(w.manifest.exports)) {
      // Built output (dist/) exists after `npm run build`; its source is checked through the `source` condition.
      if (target.startsWith('./dist/')) continue;
      const path = join(ROOT, w.dir, target.includes('*') ? target.slice(0, target.indexOf('*')) : target);
      expect(existsSync(path), `${w.manifest.name} exports ${target}`).toBe(true);
    }
  });

  it('every turbo task is a script that turbo is asked to run', () => {
    const root = readJson('package.json') as Manifest;
    const tasks = Object.keys(readJson('turbo.json').tasks as Record<string, unknown>);
    const viaTurbo = Object.values(root.scripts ?? {}).flatMap((s) => [...s.matchAll(/turbo run ([\w:#/-]+)/g)]);
    for (const task of tasks) {
      const rootTask = task.startsWith('//#');
      const name = rootTask ? task.slice(3) : task;
      expect(
        viaTurbo.some((m) => m[1] === name || m[1] === task),
        `a root script runs \`turbo run ${name}\``,
      ).toBe(true);
      const owners = rootTask ? [root] : workspaces.map((w) => w.manifest);
      expect(
        owners.some((m) => m.scripts?.[name] !== undefined),
        `some package has a "${name}" script`,
      ).toBe(true);
    }
  });
});
