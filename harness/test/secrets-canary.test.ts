/**
 * The canary: a random secret placed in every URL form a user may write (plain, an unencoded `@`, a space, a query
 * parameter, a malformed URL, only in REDIS_PASSWORD, a wrong password, a dead port), given to every program of the
 * kit (each example app with its health, readiness and API paths, each CLI, the MCP server over stdio and HTTP).
 * Everything they print or answer is collected; the secret must appear nowhere.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { freePort } from '../src/targets/ports.ts';
import { LocalServer } from '../src/targets/local-server.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SECRET = `Cnry${randomBytes(6).toString('hex')}`;
const scratch = mkdtempSync(join(tmpdir(), 'rak-canary-'));

interface Form {
  name: string;
  env: Record<string, string>;
}

let forms: Form[] = [];
const servers: LocalServer[] = [];

/** A server whose default user needs `password`. */
async function serverWithPassword(password: string): Promise<number> {
  const server = await LocalServer.start({ kind: 'redis' });
  servers.push(server);
  const admin = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true });
  await admin.call('CONFIG', 'SET', 'requirepass', password);
  admin.disconnect();
  return server.port;
}

beforeAll(async () => {
  const plain = await serverWithPassword(SECRET);
  const at = await serverWithPassword(`ab@${SECRET}`);
  const space = await serverWithPassword(`pa ${SECRET}`);
  const dead = await freePort();
  forms = [
    { name: 'plain', env: { REDIS_URL: `redis://default:${SECRET}@127.0.0.1:${plain}` } },
    { name: 'unencoded @', env: { REDIS_URL: `redis://default:ab@${SECRET}@127.0.0.1:${at}` } },
    { name: 'space', env: { REDIS_URL: `redis://default:pa ${SECRET}@127.0.0.1:${space}` } },
    { name: 'REDIS_PASSWORD only', env: { REDIS_URL: `redis://127.0.0.1:${plain}`, REDIS_PASSWORD: SECRET } },
    { name: 'query parameter', env: { REDIS_URL: `redis://127.0.0.1:${plain}/0?password=${SECRET}` } },
    { name: 'malformed', env: { REDIS_URL: `redis://:${SECRET}@127.0.0.1:notaport` } },
    { name: 'wrong password', env: { REDIS_URL: `redis://default:x${SECRET}@127.0.0.1:${plain}` } },
    { name: 'dead port', env: { REDIS_URL: `redis://default:${SECRET}@127.0.0.1:${dead}` } },
    {
      name: 'legacy database URL',
      env: {
        REDIS_URL: `redis://127.0.0.1:${plain}`,
        REDIS_PASSWORD: SECRET,
        DATABASE_URL: `postgres://rak@127.0.0.1:${dead}/db?password=${SECRET}`,
      },
    },
  ];
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(scratch, { recursive: true, force: true });
});

/** Output of a child process, and a way to end it. */
function run(args: string[], env: Record<string, string>, cwd = ROOT, stdin?: string) {
  const child: ChildProcess = spawn(process.execPath, ['--conditions=source', ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: scratch, CI: 'true', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  if (stdin !== undefined) child.stdin?.write(stdin);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    output: () => output,
    exited,
    async stop(): Promise<void> {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}

async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    promise,
    new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms))),
  ]);
  clearTimeout(timer);
  return result;
}

/** GETs and a POST against an app on `port` until it answers or exits; every status line and body collected. */
async function probeHttp(port: number, exited: Promise<void>, paths: string[]): Promise<string> {
  const base = `http://127.0.0.1:${port}`;
  let up = false;
  let gone = false;
  void exited.then(() => (gone = true));
  for (let i = 0; i < 75 && !up && !gone; i++) {
    up = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
      () => true,
      () => false,
    );
    if (!up) await new Promise((r) => setTimeout(r, 200));
  }
  if (!up) return '(never answered)';
  let seen = '';
  for (const path of paths) {
    for (const init of [
      { method: 'GET' },
      { method: 'POST', body: '{"bad json', headers: { 'content-type': 'application/json' } },
    ]) {
      const answer = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(8000) }).then(
        async (res) => `${res.status} ${[...res.headers].join(';')} ${await res.text()}`,
        (error: Error) => `fetch failed: ${error.message}`,
      );
      seen += `${init.method} ${path} → ${answer}\n`;
    }
  }
  return seen;
}

const APPS: { name: string; script: string; paths: string[]; env?: () => Record<string, string> }[] = [
  {
    name: 'products-cache',
    script: 'src/server.ts',
    paths: ['/healthz', '/readyz', '/api/products', '/api/products/1'],
  },
  { name: 'rate-limiter', script: 'src/server.ts', paths: ['/healthz', '/readyz', '/api/orders'] },
  { name: 'job-queue', script: 'src/server.ts', paths: ['/healthz', '/stats', '/api/jobs', '/api/dead-letters'] },
  { name: 'vector-search', script: 'src/server.ts', paths: ['/healthz', '/readyz', '/api/search?q=boots&k=3'] },
  {
    name: 'session-migration',
    script: 'src/server.ts',
    paths: ['/healthz', '/readyz', '/login', '/me'],
    env: () => ({ PGLITE_DIR: mkdtempSync(join(scratch, 'pglite-')) }),
  },
];

function expectNoSecret(where: string, text: string): void {
  // RAK_CANARY_DUMP=1 shows what each program printed, to check that the probes reached it.
  if (process.env.RAK_CANARY_DUMP) console.log(`\n=== ${where}\n${text.slice(0, 1500)}`);
  if (text.includes(SECRET)) throw new Error(`${where} printed the secret:\n${text.slice(0, 4000)}`);
}

describe('the canary secret never leaves a program', () => {
  for (const app of APPS) {
    it.concurrent(
      `examples/${app.name}: start-up, /healthz, /readyz, API and error paths`,
      async () => {
        for (const form of forms) {
          const port = await freePort();
          const pgPort = await freePort();
          const p = run(
            [app.script],
            { ...form.env, PORT: String(port), PGLITE_PORT: String(pgPort), ...app.env?.() },
            join(ROOT, 'examples', app.name),
          );
          const answers = await probeHttp(port, p.exited, app.paths);
          await p.stop();
          expectNoSecret(`${app.name} with ${form.name}`, p.output() + answers);
        }
      },
      240_000,
    );
  }

  it.concurrent(
    'redis-key-audit (json and text), the session migrate/seed CLIs and a job-queue worker',
    async () => {
      // [example, arguments, longest wait]: the CLIs end by themselves; a worker serves until stopped.
      const clis = [
        ['key-audit', ['src/cli.ts', '--format', 'json', '--timeout', '2000'], 30_000],
        ['key-audit', ['src/cli.ts', '--format', 'text', '--timeout', '2000'], 30_000],
        ['session-migration', ['src/migrate.ts'], 30_000],
        ['session-migration', ['src/seed.ts'], 30_000],
        ['job-queue', ['src/worker.ts'], 3000],
      ] as const;
      for (const form of forms) {
        await Promise.all(
          clis.map(async ([cwd, args, waitMs]) => {
            const p = run(
              [...args],
              { ...form.env, PGLITE_PORT: String(await freePort()) },
              join(ROOT, 'examples', cwd),
            );
            if ((await within(p.exited, waitMs)) === undefined) await p.stop();
            expectNoSecret(`${cwd} ${args.join(' ')} with ${form.name}`, p.output());
          }),
        );
      }
    },
    300_000,
  );

  it.concurrent(
    'the matrix against a REDIS_TARGETS server: its output and every report file it writes',
    async () => {
      const plain = forms.find((f) => f.name === 'plain')?.env.REDIS_URL as string;
      const reports = mkdtempSync(join(scratch, 'reports-'));
      const p = run(['harness/src/matrix/cli.ts', '--only', 'connection'], {
        REDIS_TARGETS: `prod=${plain}`,
        RAK_REPORTS_DIR: reports,
      });
      if ((await within(p.exited, 120_000)) === undefined) await p.stop();
      const written = readdirSync(reports, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => `--- ${entry.name}\n${readFileSync(join(entry.parentPath, entry.name), 'utf8')}`);
      if (written.length === 0) throw new Error(`the matrix wrote no report:\n${p.output()}`);
      expectNoSecret('npm run matrix with REDIS_TARGETS', p.output() + written.join('\n'));
    },
    180_000,
  );

  it.concurrent(
    'the MCP server over stdio and HTTP',
    async () => {
      const cli = join(ROOT, 'packages/mcp-server/src/cli.ts');
      const calls = [
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'canary', version: '1' } },
        },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        {
          jsonrpc: '2.0',
          id: 2,
          method: 'tools/call',
          params: { name: 'server', arguments: { op: 'info', section: 'server' } },
        },
        {
          jsonrpc: '2.0',
          id: 3,
          method: 'tools/call',
          params: { name: 'keys', arguments: { op: 'scan', match: '*' } },
        },
      ];
      for (const form of forms) {
        const stdio = run(
          [cli, '--profile', 'full'],
          form.env,
          ROOT,
          `${calls.map((c) => JSON.stringify(c)).join('\n')}\n`,
        );
        await within(stdio.exited, 4000);
        await stdio.stop();
        expectNoSecret(`MCP stdio with ${form.name}`, stdio.output());

        const port = await freePort();
        const http = run([cli, '--transport', 'http', '--port', String(port), '--profile', 'full'], form.env);
        let answers = '';
        for (
          let i = 0;
          i < 50 && !/listening on/.test(http.output()) && (await within(http.exited, 100)) === undefined;
          i++
        );
        if (/listening on/.test(http.output())) {
          for (const call of calls.filter((c) => 'id' in c)) {
            answers += await fetch(`http://127.0.0.1:${port}/mcp`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
              body: JSON.stringify(call),
              signal: AbortSignal.timeout(8000),
            }).then(
              async (res) => `${res.status} ${await res.text()}\n`,
              (error: Error) => `fetch failed: ${error.message}\n`,
            );
          }
        }
        await http.stop();
        expectNoSecret(`MCP HTTP with ${form.name}`, http.output() + answers);
      }
    },
    240_000,
  );
});
