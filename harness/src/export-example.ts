/**
 * `npm run example:export -- <name> <dir>`: copies examples/<name> out of the monorepo into <dir> as a
 * standalone project, the starting point of a new service. @redis-agent-kit/patterns is not published to a
 * registry yet, so the package is built, packed into <dir>/vendor, and the copy depends on that tarball.
 * Then `cd <dir> && npm install && REDIS_URL=redis://… npm start` runs it without the monorepo.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { EXAMPLES_DIR, exampleNames } from './discover.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PATTERNS = '@redis-agent-kit/patterns';
/** Built once per process: exporting several examples packs the same build. */
let built = false;

export function exportExample(name: string, destination: string, log: (line: string) => void = () => {}): string {
  const source = join(EXAMPLES_DIR, name);
  if (!existsSync(join(source, 'package.json'))) throw new Error(`no example "${name}"; examples: ${exampleNames().join(', ')}`);
  const out = resolve(destination);
  if (existsSync(out) && readdirSync(out).length > 0) throw new Error(`${out} exists and is not empty: choose a new directory`);
  // Everything but installed modules and the monorepo's own tests of the example.
  cpSync(source, out, {
    recursive: true,
    filter: (path) => !['node_modules', 'test'].includes(basename(path)) || path === source,
  });
  if (!built) {
    log(`building ${PATTERNS}`);
    execFileSync('npm', ['run', 'build', '--silent', '-w', 'packages/patterns'], { cwd: ROOT, stdio: 'ignore' });
    built = true;
  }
  mkdirSync(join(out, 'vendor'), { recursive: true });
  const packed = execFileSync('npm', ['pack', '--silent', '-w', 'packages/patterns', '--pack-destination', join(out, 'vendor')], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .at(-1) as string;
  const manifestPath = join(out, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { private?: boolean; dependencies?: Record<string, string> };
  if (manifest.dependencies?.[PATTERNS]) manifest.dependencies[PATTERNS] = `file:vendor/${packed}`;
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  log(`exported examples/${name} to ${out} (${PATTERNS} from vendor/${packed})`);
  return out;
}

if (process.argv[1] === import.meta.filename) {
  const [name, destination] = process.argv.slice(2);
  if (!name || !destination) {
    console.error('usage: npm run example:export -- <name> <dir>');
    process.exit(2);
  }
  try {
    const out = exportExample(name, destination, (line) => console.log(`[export] ${line}`));
    console.log(`next: cd ${out} && npm install && REDIS_URL=redis://127.0.0.1:6379 npm start`);
  } catch (error) {
    console.error(`[export] ${(error as Error).message}`);
    process.exit(1);
  }
}
