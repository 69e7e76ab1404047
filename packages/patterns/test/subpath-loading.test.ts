/**
 * Each entry point of @redis-agent-kit/patterns, imported alone in a fresh Node process with every loaded module
 * recorded (a `module.registerHooks` load hook sees `import` and `require` alike): the root loads no pattern, a
 * subpath loads its own folder and the shared modules (the top-level files, and cluster/ for the batch module),
 * and no entry point loads express-session, the optional peer (/session loads it only when a cutover store is
 * built: session-optional-peer.test.ts). Third-party code is limited to ioredis and what it needs.
 */
import { execFile } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const PATTERNS = realpathSync(fileURLToPath(new URL('..', import.meta.url)));
const SRC = join(PATTERNS, 'src');
const ROOT = realpathSync(join(PATTERNS, '..', '..'));

/** Imports `specifier` with the `source` condition and prints the file of every module loaded. */
const RECORDER = `
import { registerHooks } from 'node:module';
const loaded = [];
registerHooks({
  load(url, context, nextLoad) {
    if (url.startsWith('file:')) loaded.push(url);
    return nextLoad(url, context);
  },
});
await import(process.argv[1]);
process.stdout.write(JSON.stringify(loaded));
`;

interface Loaded {
  /** Files under packages/patterns/src, relative to it (`cache/cache.ts`, `connection.ts`). */
  patterns: string[];
  /** Packages loaded from node_modules, by name. */
  packages: Set<string>;
}

async function load(specifier: string): Promise<Loaded> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=source', '--input-type=module', '--eval', RECORDER, specifier],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const files = (JSON.parse(stdout) as string[]).map((url) => realpathSync(fileURLToPath(url)));
  const packages = new Set<string>();
  for (const file of files) {
    const at = file.lastIndexOf(`${sep}node_modules${sep}`);
    if (at < 0) continue;
    const [scope = '', name = ''] = file.slice(at + 14).split(sep);
    packages.add(scope.startsWith('@') ? `${scope}/${name}` : scope);
  }
  const patterns = files
    .filter((file) => file.startsWith(SRC + sep))
    .map((file) => relative(SRC, file).split(sep).join('/'));
  return { patterns, packages };
}

/** A package and everything it depends on, as installed. */
function dependencyClosure(name: string, from = PATTERNS, into = new Set<string>()): Set<string> {
  if (into.has(name)) return into;
  into.add(name);
  const manifestPath = createRequire(join(from, 'noop.js')).resolve(`${name}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { dependencies?: Record<string, string> };
  for (const dependency of Object.keys(manifest.dependencies ?? {}))
    dependencyClosure(dependency, dirname(manifestPath), into);
  return into;
}

/** The folder a source file is in ('' for the top-level shared modules). */
const folderOf = (file: string) => (file.includes('/') ? (file.split('/')[0] as string) : '');

const SUBPATHS = [
  'cache',
  'ratelimit',
  'session',
  'audit',
  'vector',
  'cluster',
  'queue',
  'semantic-cache',
  'memory',
] as const;
/** The shared batch module every pattern that sends many commands goes through. */
const SHARED_FOLDER = 'cluster';
/** Patterns built on another one: the semantic cache and agent memory on the vector layer (vectors and embedders). */
const BUILT_ON: Partial<Record<(typeof SUBPATHS)[number], string>> = { 'semantic-cache': 'vector', memory: 'vector' };

describe('each entry point loads only its own modules', async () => {
  const [root, ...subpaths] = await Promise.all([
    load('@redis-agent-kit/patterns'),
    ...SUBPATHS.map((subpath) => load(`@redis-agent-kit/patterns/${subpath}`)),
  ]);
  const loaded = new Map(SUBPATHS.map((subpath, i) => [subpath, subpaths[i] as Loaded]));
  const ioredis = dependencyClosure('ioredis');

  it('the root loads the connection, capabilities and shared helpers, and no pattern', () => {
    const { patterns, packages } = root as Loaded;
    expect(patterns).toContain('index.ts');
    expect(patterns).toContain('connection.ts');
    expect(patterns.filter((file) => folderOf(file) !== '')).toEqual([]);
    expect([...packages].filter((name) => !ioredis.has(name))).toEqual([]);
  });

  for (const subpath of SUBPATHS) {
    it(`/${subpath} loads its own folder and the shared modules only`, () => {
      const { patterns, packages } = loaded.get(subpath) as Loaded;
      expect(patterns).toContain(`${subpath}/index.ts`);
      const allowed = [subpath, SHARED_FOLDER, '', BUILT_ON[subpath] ?? subpath];
      const foreign = patterns.filter((file) => !allowed.includes(folderOf(file)));
      expect(foreign).toEqual([]);
      expect([...packages].filter((name) => !ioredis.has(name))).toEqual([]);
    });
  }

  it('no entry point loads express-session, the optional peer, on import', () => {
    const all = [['(root)', root as Loaded] as const, ...loaded];
    expect(all.filter(([, { packages }]) => packages.has('express-session')).map(([name]) => name)).toEqual([]);
  });
});
