import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { LocalCluster } from '../src/targets/local-cluster.ts';
import { LocalServer } from '../src/targets/local-server.ts';
import { freePort } from '../src/targets/ports.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('local servers', () => {
  it('stopping a server and a cluster leaves none of their processes behind', async () => {
    const server = await LocalServer.start({ kind: 'valkey' });
    const cluster = await LocalCluster.start('redis');
    const pids = [server.pid as number, ...cluster.pids];
    expect(pids).toHaveLength(7);
    expect(pids.every(alive)).toBe(true);
    await server.stop();
    await cluster.stop();
    expect(pids.filter(alive)).toEqual([]);
  });

  it('a server that dies unasked is reported at once, with the bug report from its log', async () => {
    const server = await LocalServer.start({ kind: 'redis' });
    const printed: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      // Redis's own SIGSEGV handler writes the bug report a real crash writes, then dies of the signal.
      process.kill(server.pid as number, 'SIGSEGV');
      for (let waited = 0; server.running && waited < 10_000; waited += 50) await sleep(50);
      await sleep(50);
    } finally {
      spy.mockRestore();
      await server.stop();
    }
    const report = printed.join('');
    expect(report).toContain(`${server.label} exited unexpectedly`);
    expect(report).toMatch(/signal SIGSEGV/);
    expect(report).toMatch(/crashed by signal: 11/);
    // A stop asked for is not a crash.
    const quiet = await LocalServer.start({ kind: 'valkey' });
    const spy2 = vi.spyOn(process.stderr, 'write');
    await quiet.stop();
    expect(spy2.mock.calls.map(String).join('')).not.toContain('exited unexpectedly');
    spy2.mockRestore();
  });
});

describe('npm run servers', () => {
  const root = join(import.meta.dirname, '../..');
  const dir = mkdtempSync(join(tmpdir(), 'rak-servers-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** `npm run servers -- …` as a user or supervisor starts it; resolves once it says it is running. */
  async function servers(...args: string[]) {
    const envFile = join(dir, `servers-${randomBytes(4).toString('hex')}.env`);
    const npm = spawn('npm', ['run', 'servers', '--', '--urls-file', envFile, ...args], {
      cwd: root,
      env: { ...process.env, RAK_PROVIDER: 'local', REDIS_TARGETS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    let output = '';
    const running = await new Promise<{ node: number; pids: number[] }>((resolve, reject) => {
      npm.stdout.on('data', (chunk: Buffer) => {
        output += chunk;
        const m = /running \(pid (\d+), servers (\[[\d,]+\])\)/.exec(output);
        if (m?.[1] && m[2]) resolve({ node: Number(m[1]), pids: JSON.parse(m[2]) as number[] });
      });
      npm.stderr.on('data', (chunk: Buffer) => (output += chunk));
      void exited.then((code) => reject(new Error(`npm run servers exited ${code}: ${output}`)));
    });
    return { npm: npm.pid as number, ...running, envFile, exited, output: () => output };
  }

  async function gone(pids: number[], withinMs = 15_000): Promise<number[]> {
    for (let waited = 0; pids.some(alive) && waited < withinMs; waited += 100) await sleep(100);
    return pids.filter(alive);
  }

  const cases: [string, 'npm' | 'node', NodeJS.Signals, string[]][] = [
    ['SIGTERM to npm (what CI timeouts and supervisors send)', 'npm', 'SIGTERM', ['redis-8', 'redis-cluster']],
    ['SIGINT to npm', 'npm', 'SIGINT', ['redis-8', 'valkey-9']],
    ['SIGTERM to node', 'node', 'SIGTERM', ['redis-8', 'valkey-9']],
    ['SIGINT to node (Ctrl-C)', 'node', 'SIGINT', ['redis-7.0', 'valkey-8.1']],
  ];
  for (const [title, who, signal, targets] of cases) {
    it(`${title} stops every server and deletes servers.env`, async () => {
      const run = await servers('--targets', targets.join(','));
      expect(run.pids.length).toBe(targets.includes('redis-cluster') ? 7 : 2);
      expect([run.node, ...run.pids].every(alive)).toBe(true);
      const env = readFileSync(run.envFile, 'utf8');
      expect(env).toMatch(/^REDIS_URL=redis:\/\/127\.0\.0\.1:\d+$/m);
      for (const name of targets) expect(env).toContain(`${name}=redis://127.0.0.1:`);
      process.kill(who === 'npm' ? run.npm : run.node, signal);
      await run.exited;
      expect(await gone([run.node, ...run.pids])).toEqual([]);
      expect(existsSync(run.envFile)).toBe(false);
    });
  }

  it('stops every server when npm is killed outright (node is re-parented and notices)', async () => {
    const run = await servers('--targets', 'valkey-8.1');
    process.kill(run.npm, 'SIGKILL');
    expect(await gone([run.node, ...run.pids])).toEqual([]);
    expect(existsSync(run.envFile)).toBe(false);
  });

  it('--port puts the servers on fixed ports, in order, and writes them to the env file', async () => {
    const port = await freePort();
    const run = await servers('--targets', 'redis-8', '--port', String(port));
    try {
      const env = readFileSync(run.envFile, 'utf8');
      expect(env).toContain(`REDIS_URL=redis://127.0.0.1:${port}\n`);
      expect(env).toContain(`RAK_REDIS_8_URL=redis://127.0.0.1:${port}\n`);
    } finally {
      process.kill(run.npm, 'SIGTERM');
      await run.exited;
    }
  });

  it('--help exits 0 and an unknown target exits 2 naming the known ones, before starting anything', () => {
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['--conditions=source', join(root, 'harness/src/targets/cli.ts'), ...args], {
        encoding: 'utf8',
        env: { ...process.env, RAK_PROVIDER: 'local', REDIS_TARGETS: '' },
      });
    const help = cli('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run servers/);
    const unknown = cli('--targets', 'redis-6');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown target redis-6; known: redis-7\.0, redis-8/);
    expect(cli('--port', '80').status).toBe(2);
  });
});
