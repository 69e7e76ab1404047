/**
 * `npm run example:export -- <name> <dir>`: copies examples/<name> out of the monorepo into <dir> as a clean,
 * standalone project, the starting point of a new service:
 * - the tracked files only: no node_modules, no monorepo tests, nothing the example's .gitignore names (runtime data
 *   such as `.pglite/`);
 * - @redis-agent-kit/patterns is not published to a registry yet, so the package is built, packed into
 *   <dir>/vendor, and the copy depends on that tarball;
 * - scripts without `--conditions=source` (that resolves the workspace packages to their TypeScript sources in the
 *   monorepo; a copy uses the built package), `engines` kept and `engine-strict` in its .npmrc, a .gitignore, a
 *   tsconfig.json with TypeScript and the type packages it needs (`npm run typecheck`);
 * - the README without its monorepo-only parts (between `<!-- monorepo -->` and `<!-- /monorepo -->`) and with
 *   links into the monorepo pointed at the installed package;
 * - a package-lock.json (`npm install --package-lock-only`: the versions the registry serves now, fixed from then
 *   on, so every `npm ci` of the copy installs the same tree). That step needs npm to reach the package registry;
 *   when it cannot, the export says so and fails, and the copy is complete but for its lockfile.
 * Then `cd <dir> && npm ci && REDIS_URL=redis://… npm start` runs it without the monorepo.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { EXAMPLES_DIR, exampleNames } from './discover.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PATTERNS = '@redis-agent-kit/patterns';
/** Built once per process: exporting several examples packs the same build. */
let built = false;

interface Manifest {
  private?: boolean;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** The type packages a copy needs for `tsc`, by the dependency that needs them. */
const TYPES_FOR: Record<string, string[]> = {
  express: ['@types/express'],
  'express-session': ['@types/express-session'],
  pg: ['@types/pg'],
  'connect-pg-simple': ['@types/connect-pg-simple'],
};

/** The monorepo's compiler options that make sense alone: strict ESM on Node, `.ts` imports, type-check only. */
const TSCONFIG = {
  compilerOptions: {
    target: 'es2023',
    lib: ['es2023'],
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    verbatimModuleSyntax: true,
    erasableSyntaxOnly: true,
    allowImportingTsExtensions: true,
    resolveJsonModule: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  },
};

const GITIGNORE = ['node_modules/', 'dist/', '*.log', '.env'];

/** What npm prints when it cannot reach the registry (or has nothing cached while offline). */
const UNREACHABLE = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|ENETUNREACH|EHOSTUNREACH|ENOTCACHED)\b/;

/** The copy is complete but its lockfile could not be written; the message says why and what to do. */
export class LockfileError extends Error {
  override readonly name = 'LockfileError';
}

export interface ExportOptions {
  log?: (line: string) => void;
  /** The environment npm resolves the lockfile in (its registry, cache and proxy settings); default this process's. */
  npmEnv?: NodeJS.ProcessEnv;
}

/**
 * Writes the copy's package-lock.json without installing anything: npm resolves every range against the registry
 * (and the packed patterns tarball in vendor/), so the copy's `npm ci` installs exactly that tree.
 */
export function writeLockfile(dir: string, env: NodeJS.ProcessEnv = process.env): void {
  const npm = spawnSync(
    'npm',
    ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd: dir, env, encoding: 'utf8', timeout: 300_000 },
  );
  if (npm.status === 0 && existsSync(join(dir, 'package-lock.json'))) return;
  const output = `${npm.stderr ?? ''}\n${npm.stdout ?? ''}`;
  const code = UNREACHABLE.exec(output)?.[1] ?? (npm.error as NodeJS.ErrnoException | undefined)?.code;
  const retry = `run \`npm install\` in ${dir} once npm can reach it (that writes package-lock.json), or export again into a new directory`;
  if (code && UNREACHABLE.test(code)) {
    throw new LockfileError(
      `${dir} is complete but has no package-lock.json: npm could not reach the package registry (${code}). ` +
        `Check npm's registry and proxy settings (npm config get registry), then ${retry}.`,
    );
  }
  const detail = output.trim().split('\n').filter(Boolean).slice(-3).join(' ');
  throw new LockfileError(
    `${dir} is complete but has no package-lock.json: npm install --package-lock-only failed ` +
      `(exit ${npm.status ?? npm.signal}): ${detail}. Fix that, then ${retry}.`,
  );
}

/** The lines of an example's .gitignore (plain names and `dir/`: what the examples use), comments left out. */
function gitignoreLines(dir: string): string[] {
  const file = join(dir, '.gitignore');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

/** The README for the copy: monorepo-only blocks removed, links into the monorepo pointed at the installed package. */
export function standaloneReadme(text: string): string {
  return text
    .replace(/[ \t]*<!-- monorepo -->[\s\S]*?<!-- \/monorepo -->[ \t]*\n?/g, '')
    .replace(/\]\(\.\.\/\.\.\/packages\/patterns\//g, `](node_modules/${PATTERNS}/`)
    .replace(/\n{3,}/g, '\n\n');
}

/** The copy's package.json: scripts without the monorepo's source condition, the packed patterns, tsc to check. */
export function standaloneManifest(manifest: Manifest, packed: string, versions: Record<string, string>): Manifest {
  const out: Manifest = structuredClone(manifest);
  for (const [name, script] of Object.entries(out.scripts ?? {}))
    (out.scripts as Record<string, string>)[name] = script.replace(/\s--conditions=source\b/g, '');
  out.scripts = { ...out.scripts, typecheck: 'tsc -p tsconfig.json' };
  if (out.dependencies?.[PATTERNS]) out.dependencies[PATTERNS] = `file:vendor/${packed}`;
  const types = [
    'typescript',
    '@types/node',
    ...Object.keys(out.dependencies ?? {}).flatMap((d) => TYPES_FOR[d] ?? []),
  ];
  out.devDependencies = {
    ...out.devDependencies,
    ...Object.fromEntries(
      types.map((name) => {
        const version = versions[name];
        if (!version) throw new Error(`the monorepo's package.json has no version of ${name} to give the copy`);
        return [name, version];
      }),
    ),
  };
  return out;
}

export function exportExample(name: string, destination: string, options: ExportOptions = {}): string {
  const log = options.log ?? (() => {});
  const source = join(EXAMPLES_DIR, name);
  if (!existsSync(join(source, 'package.json')))
    throw new Error(`no example "${name}"; examples: ${exampleNames().join(', ')}`);
  const out = resolve(destination);
  if (existsSync(out) && readdirSync(out).length > 0)
    throw new Error(`${out} exists and is not empty: choose a new directory`);
  // Everything but installed modules, the monorepo's own tests of the example and what its .gitignore names.
  const ignored = gitignoreLines(source);
  const skip = new Set(['node_modules', 'test', ...ignored.map((line) => line.replace(/^\/|\/$/g, ''))]);
  cpSync(source, out, {
    recursive: true,
    filter: (path) =>
      path === source ||
      !relative(source, path)
        .split('/')
        .some((part) => skip.has(part)),
  });
  if (!built) {
    log(`building ${PATTERNS}`);
    execFileSync('npm', ['run', 'build', '--silent', '-w', 'packages/patterns'], { cwd: ROOT, stdio: 'ignore' });
    built = true;
  }
  mkdirSync(join(out, 'vendor'), { recursive: true });
  const packed = execFileSync(
    'npm',
    ['pack', '--silent', '-w', 'packages/patterns', '--pack-destination', join(out, 'vendor')],
    { cwd: ROOT, encoding: 'utf8' },
  )
    .trim()
    .split('\n')
    .at(-1) as string;
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
  const manifestPath = join(out, 'package.json');
  const manifest = standaloneManifest(
    JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest,
    packed,
    root.devDependencies ?? {},
  );
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(
    join(out, '.npmrc'),
    '# Refuse to install on a Node older than "engines" with a clear error, instead of failing later on .ts files.\nengine-strict=true\n',
  );
  writeFileSync(join(out, '.gitignore'), `${[...new Set([...GITIGNORE, ...ignored])].join('\n')}\n`);
  writeFileSync(
    join(out, 'tsconfig.json'),
    `${JSON.stringify({ ...TSCONFIG, include: ['src', 'scripts'] }, null, 2)}\n`,
  );
  const readme = join(out, 'README.md');
  if (existsSync(readme)) writeFileSync(readme, standaloneReadme(readFileSync(readme, 'utf8')));
  log(`exported examples/${name} to ${out} (${PATTERNS} from vendor/${packed}); resolving package-lock.json`);
  writeLockfile(out, options.npmEnv);
  log(`wrote ${join(out, 'package-lock.json')}`);
  return out;
}

if (process.argv[1] === import.meta.filename) {
  const [name, destination] = process.argv.slice(2);
  if (!name || !destination) {
    console.error('usage: npm run example:export -- <name> <dir>');
    process.exit(2);
  }
  try {
    const out = exportExample(name, destination, { log: (line) => console.log(`[export] ${line}`) });
    console.log(`next: cd ${out} && npm ci && REDIS_URL=redis://127.0.0.1:6379 npm start`);
  } catch (error) {
    console.error(`[export] ${(error as Error).message}`);
    process.exit(1);
  }
}
