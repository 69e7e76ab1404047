/**
 * Each example, copied out of the monorepo by `npm run example:export`, installs on its own (with the packed
 * @redis-agent-kit/patterns, resolved to its built JavaScript, no TypeScript sources of the monorepo) and works
 * with `npm start` against REDIS_URL: the promise the examples' READMEs make.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES_DIR, exampleNames } from '../src/discover.ts';
import { exportExample, LockfileError, standaloneManifest, standaloneReadme } from '../src/export-example.ts';
import { freePort } from '../src/targets/ports.ts';
import { target } from '../src/vitest/index.ts';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'rak-export-'));
const started: ChildProcess[] = [];

// Without the monorepo's NODE_OPTIONS (--conditions=source) the copy resolves the package as a user would.
const env = (extra: Record<string, string>) => {
  const { NODE_OPTIONS: _ignored, ...rest } = process.env;
  return { ...rest, ...extra };
};

/** Exports an example and installs it as its README says: `npm ci`, which needs the copy's own lockfile. */
async function exportAndInstall(name: string): Promise<string> {
  const dir = exportExample(name, join(work, name));
  await run('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline', '--silent'], { cwd: dir });
  return dir;
}

/** `npm start` in its own process group (so npm's node child is stopped too); resolves once /healthz answers 200. */
async function startApp(dir: string, extra: Record<string, string>): Promise<string> {
  const port = await freePort();
  const child = spawn('npm', ['start', '--silent'], {
    cwd: dir,
    env: env({ ...extra, PORT: String(port) }),
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  started.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const base = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}: ${stderr}`);
    const ok = await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return base;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no /healthz after 30 s: ${stderr}`);
}

afterAll(async () => {
  for (const child of started) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  await Promise.all(started.filter((c) => c.exitCode === null).map((c) => new Promise((r) => c.once('exit', r))));
  rmSync(work, { recursive: true, force: true });
});

describe('examples copied out of the monorepo', () => {
  let redisUrl = '';
  beforeAll(() => {
    redisUrl = target('redis-8').url;
  });

  it('products-cache: MISS then HIT', async () => {
    const base = await startApp(await exportAndInstall('products-cache'), {
      REDIS_URL: redisUrl,
      CACHE_NAMESPACE: `rak-export-${process.pid}`,
      ORIGIN_LATENCY_MS: '0',
    });
    const first = await fetch(`${base}/api/products/1`);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect((await fetch(`${base}/api/products/1`)).headers.get('x-cache')).toBe('HIT');
  });

  it('llm-gateway: MISS then HIT, with its own fake upstream', async () => {
    const base = await startApp(await exportAndInstall('llm-gateway'), {
      REDIS_URL: redisUrl,
      GATEWAY_PREFIX: `rak-export-${process.pid}`,
    });
    const ask = () =>
      fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'What is the capital of France?' }] }),
      });
    const first = await ask();
    expect(first.status).toBe(200);
    expect(first.headers.get('x-semantic-cache')).toBe('MISS');
    expect((await ask()).headers.get('x-semantic-cache')).toMatch(/^HIT; similarity=/);
  });

  it('rate-limiter: an order is accepted with the rate-limit headers', async () => {
    const base = await startApp(await exportAndInstall('rate-limiter'), { REDIS_URL: redisUrl });
    const res = await fetch(`${base}/api/orders`, {
      method: 'POST',
      headers: { 'x-api-key': `export-${process.pid}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-ratelimit-limit')).toBe('100');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('99');
  });

  it('vector-search: five results with scores', async () => {
    const base = await startApp(await exportAndInstall('vector-search'), { REDIS_URL: redisUrl });
    const body = (await (await fetch(`${base}/api/search?q=hiking+boots&k=5`)).json()) as {
      results: { score: number }[];
    };
    expect(body.results).toHaveLength(5);
    for (const r of body.results) expect(r.score).toBeGreaterThan(0);
  });

  it('session-migration: ready with Redis and the embedded PostgreSQL, and a login keeps its session', async () => {
    const base = await startApp(await exportAndInstall('session-migration'), {
      REDIS_URL: redisUrl,
      PGLITE_PORT: String(await freePort()),
    });
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const login = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username":"ada"}',
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const profile = (await (await fetch(`${base}/profile`, { headers: { cookie } })).json()) as {
      user?: { name: string };
    };
    expect(profile.user?.name).toBe('ada');
  });

  it('key-audit: `npm start -- --url … --format json` prints one document', async () => {
    const dir = await exportAndInstall('key-audit');
    const { stdout } = await run('npm', ['start', '--silent', '--', '--url', redisUrl, '--format', 'json'], {
      cwd: dir,
      env: env({}),
    });
    const report = JSON.parse(stdout) as { instances: { error?: unknown }[] };
    expect(report.instances).toHaveLength(1);
    expect(report.instances[0]?.error).toBeUndefined();
  });
});

describe('inside the monorepo, without a build', () => {
  it('every script of every example runs node on the TypeScript sources of the workspace packages', async () => {
    for (const name of exampleNames()) {
      const dir = join(EXAMPLES_DIR, name);
      const { scripts } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      };
      for (const [script, command] of Object.entries(scripts)) {
        const flags = /^node((?:\s+--\S+)*)\s/.exec(command)?.[1]?.trim().split(/\s+/) ?? [];
        expect(flags, `${name}: ${script}`).toContain('--conditions=source');
        // Where the script's node finds the package: its sources, so a missing dist/ does not matter.
        const { stdout } = await run(
          process.execPath,
          [...flags, '--input-type=module', '-e', "console.log(import.meta.resolve('@redis-agent-kit/patterns'))"],
          { cwd: dir, env: env({}) },
        );
        expect(stdout.trim(), `${name}: ${script}`).toMatch(/\/packages\/patterns\/src\/index\.ts$/);
      }
    }
  });

  it('key-audit: `npm start` in the example folder audits a server', async () => {
    const { stdout } = await run(
      'npm',
      ['start', '--silent', '--', '--url', target('redis-8').url, '--format', 'json', '--match', 'rak:none:*'],
      { cwd: join(EXAMPLES_DIR, 'key-audit'), env: env({}) },
    );
    expect((JSON.parse(stdout) as { instances: unknown[] }).instances).toHaveLength(1);
  });
});

describe('an exported example is a clean standalone project', () => {
  it('its README keeps no monorepo command, path or marker, and still says how to start it', () => {
    for (const name of exampleNames()) {
      const readme = standaloneReadme(readFileSync(join(EXAMPLES_DIR, name, 'README.md'), 'utf8'));
      expect(readme, name).not.toMatch(/npm run example|monorepo|harness\/|\.\.\/\.\.\/|<!--|#copy-it-out/);
      expect(readme, name).toContain('npm start');
      expect(readme, name).toMatch(/^# /);
    }
  });

  it('its package.json runs the built package, keeps engines and can type-check', () => {
    const manifest = standaloneManifest(
      {
        scripts: { start: 'node --conditions=source src/server.ts', seed: 'node --conditions=source src/seed.ts' },
        dependencies: { '@redis-agent-kit/patterns': '^0.1.0', express: '^5.3.0' },
      },
      'redis-agent-kit-patterns-0.1.0.tgz',
      { typescript: '~6.0.3', '@types/node': '^24.0.0', '@types/express': '^5.0.6' },
    );
    expect(manifest.scripts).toEqual({
      start: 'node src/server.ts',
      seed: 'node src/seed.ts',
      typecheck: 'tsc -p tsconfig.json',
    });
    expect(manifest.dependencies?.['@redis-agent-kit/patterns']).toBe('file:vendor/redis-agent-kit-patterns-0.1.0.tgz');
    expect(manifest.devDependencies).toEqual({
      typescript: '~6.0.3',
      '@types/node': '^24.0.0',
      '@types/express': '^5.0.6',
    });
  });

  it('session-migration: no runtime data, its own .gitignore, tsconfig, .npmrc and engines', () => {
    // Runtime data the example's .gitignore names, as a run of the example leaves it.
    const pglite = join(EXAMPLES_DIR, 'session-migration', '.pglite');
    const made = !existsSync(pglite);
    if (made) {
      mkdirSync(pglite);
      writeFileSync(join(pglite, 'PG_VERSION'), '18\n');
    }
    let dir: string;
    try {
      dir = exportExample('session-migration', join(work, 'clean-session-migration'));
    } finally {
      if (made) rmSync(pglite, { recursive: true, force: true });
    }
    expect(existsSync(join(dir, '.pglite'))).toBe(false);
    expect(existsSync(join(dir, 'test'))).toBe(false);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8').split('\n')).toEqual(
      expect.arrayContaining(['node_modules/', '.pglite/']),
    );
    expect(readFileSync(join(dir, '.npmrc'), 'utf8')).toMatch(/^engine-strict=true$/m);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      engines: { node: string };
      scripts: Record<string, string>;
    };
    expect(manifest.engines.node).toBe('>=22.18');
    expect(JSON.stringify(manifest.scripts)).not.toContain('--conditions');
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).not.toMatch(/npm run example|monorepo/);
    expect(existsSync(join(dir, 'tsconfig.json'))).toBe(true);
  });

  it('its package-lock.json matches its package.json and pins the packed patterns by hash', () => {
    const dir = join(work, 'products-cache');
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as {
      lockfileVersion: number;
      packages: Record<string, { resolved?: string; integrity?: string; version?: string } & typeof manifest>;
    };
    expect(lock.lockfileVersion).toBe(3);
    expect(lock.packages['']?.dependencies).toEqual(manifest.dependencies);
    expect(lock.packages['']?.devDependencies).toEqual(manifest.devDependencies);
    const patterns = lock.packages['node_modules/@redis-agent-kit/patterns'];
    expect(patterns?.resolved).toBe(manifest.dependencies['@redis-agent-kit/patterns']);
    expect(patterns?.integrity).toMatch(/^sha512-/);
    for (const name of Object.keys(manifest.dependencies))
      expect(lock.packages[`node_modules/${name}`]?.version, name).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('says so, clearly, when npm cannot reach the registry for the lockfile, and leaves the rest of the copy', () => {
    // A registry address where nothing listens and an empty npm cache: what a machine without network sees.
    const cache = mkdtempSync(join(tmpdir(), 'rak-export-npm-cache-'));
    const dir = join(work, 'offline-key-audit');
    try {
      const npmEnv = {
        ...process.env,
        npm_config_registry: 'http://127.0.0.1:9/',
        npm_config_cache: cache,
        npm_config_fetch_retries: '0',
        npm_config_prefer_offline: 'false',
      };
      let thrown: unknown;
      try {
        exportExample('key-audit', dir, { npmEnv });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(LockfileError);
      expect((thrown as Error).message).toMatch(
        /has no package-lock\.json: npm could not reach the package registry \(ECONNREFUSED\)\. .*run `npm install` in/,
      );
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
    expect(existsSync(join(dir, 'package-lock.json'))).toBe(false);
    for (const file of ['package.json', 'README.md', 'tsconfig.json', '.npmrc', 'src/cli.ts'])
      expect(existsSync(join(dir, file)), file).toBe(true);
  });

  it('an installed copy type-checks with its own tsconfig (products-cache, installed above)', async () => {
    const dir = join(work, 'products-cache');
    expect(existsSync(join(dir, 'node_modules')), 'the products-cache copy was installed by the test above').toBe(true);
    await run('npm', ['run', '--silent', 'typecheck'], { cwd: dir, env: env({}) });
  });
});
