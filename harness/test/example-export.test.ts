/**
 * Each example, copied out of the monorepo by `npm run example:export`, installs on its own (with the packed
 * @redis-agent-kit/patterns, resolved to its built JavaScript, no TypeScript sources of the monorepo) and works
 * with `npm start` against REDIS_URL: the promise the examples' READMEs make.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportExample } from '../src/export-example.ts';
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

async function exportAndInstall(name: string): Promise<string> {
  const dir = exportExample(name, join(work, name));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--silent'], { cwd: dir });
  return dir;
}

/** `npm start` in its own process group (so npm's node child is stopped too); resolves once /healthz answers 200. */
async function startApp(dir: string, extra: Record<string, string>): Promise<string> {
  const port = await freePort();
  const child = spawn('npm', ['start', '--silent'], { cwd: dir, env: env({ ...extra, PORT: String(port) }), detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  started.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const base = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}: ${stderr}`);
    const ok = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
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
  await Promise.all(started.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
  rmSync(work, { recursive: true, force: true });
});

describe('examples copied out of the monorepo', () => {
  let redisUrl = '';
  beforeAll(() => {
    redisUrl = target('redis-8').url;
  });

  it('products-cache: MISS then HIT', async () => {
    const base = await startApp(await exportAndInstall('products-cache'), { REDIS_URL: redisUrl, CACHE_NAMESPACE: `rak-export-${process.pid}`, ORIGIN_LATENCY_MS: '0' });
    const first = await fetch(`${base}/api/products/1`);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect((await fetch(`${base}/api/products/1`)).headers.get('x-cache')).toBe('HIT');
  });

  it('rate-limiter: an order is accepted with the rate-limit headers', async () => {
    const base = await startApp(await exportAndInstall('rate-limiter'), { REDIS_URL: redisUrl });
    const res = await fetch(`${base}/api/orders`, { method: 'POST', headers: { 'x-api-key': `export-${process.pid}`, 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-ratelimit-limit')).toBe('100');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('99');
  });

  it('vector-search: five results with scores', async () => {
    const base = await startApp(await exportAndInstall('vector-search'), { REDIS_URL: redisUrl });
    const body = (await (await fetch(`${base}/api/search?q=hiking+boots&k=5`)).json()) as { results: { score: number }[] };
    expect(body.results).toHaveLength(5);
    for (const r of body.results) expect(r.score).toBeGreaterThan(0);
  });

  it('session-migration: ready with Redis and the embedded PostgreSQL, and a login keeps its session', async () => {
    const base = await startApp(await exportAndInstall('session-migration'), { REDIS_URL: redisUrl, PGLITE_PORT: String(await freePort()) });
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const login = await fetch(`${base}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"ada"}' });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const profile = (await (await fetch(`${base}/profile`, { headers: { cookie } })).json()) as { user?: { name: string } };
    expect(profile.user?.name).toBe('ada');
  });

  it('key-audit: `npm start -- --url … --format json` prints one document', async () => {
    const dir = await exportAndInstall('key-audit');
    const { stdout } = await run('npm', ['start', '--silent', '--', '--url', redisUrl, '--format', 'json'], { cwd: dir, env: env({}) });
    const report = JSON.parse(stdout) as { instances: { error?: unknown }[] };
    expect(report.instances).toHaveLength(1);
    expect(report.instances[0]?.error).toBeUndefined();
  });
});
