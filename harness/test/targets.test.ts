import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalCluster } from '../src/targets/local-cluster.ts';
import { LocalServer } from '../src/targets/local-server.ts';
import { freePort } from '../src/targets/ports.ts';
import { serversEnv } from '../src/targets/servers-env.ts';
import { dockerProvider } from '../src/targets/docker.ts';
import { availableTargets, requestedTargets, TARGETS, TargetSelectionError } from '../src/targets/index.ts';
import { chooseProvider } from '../src/targets/provider.ts';
import type { Provider } from '../src/targets/types.ts';
import { parseTargetUrls } from '../src/targets/url.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const fake = (name: 'local' | 'docker'): Provider => ({
  name,
  start: () => Promise.reject(new Error('not started in this test')),
});

describe('provider choice', () => {
  const providers = { local: fake('local'), docker: fake('docker') };

  it('falls back to local with the reason when Docker does not answer', async () => {
    const choice = await chooseProvider({
      env: {},
      providers,
      probeDocker: () => Promise.reject(new Error('connect ENOENT /var/run/docker.sock')),
    });
    expect(choice.provider.name).toBe('local');
    expect(choice.reason).toBe(
      'Docker did not answer (connect ENOENT /var/run/docker.sock); using local server binaries',
    );
  });

  it('asks the real Testcontainers runtime strategy and falls back on this machine', async () => {
    const choice = await chooseProvider({ env: {}, providers });
    if (choice.provider.name === 'docker') expect(choice.reason).toBe('the Docker API answered');
    else expect(choice.reason).toMatch(/^Docker did not answer \(.+\); using local server binaries$/);
  });

  it('uses docker when it answers, and obeys RAK_PROVIDER and REDIS_TARGETS', async () => {
    expect((await chooseProvider({ env: {}, providers, probeDocker: async () => {} })).provider.name).toBe('docker');
    const never = () => Promise.reject(new Error('should not be asked'));
    expect(
      (await chooseProvider({ env: { RAK_PROVIDER: 'local' }, providers, probeDocker: never })).provider.name,
    ).toBe('local');
    expect(
      (await chooseProvider({ env: { RAK_PROVIDER: 'docker' }, providers, probeDocker: never })).provider.name,
    ).toBe('docker');
    expect(
      (
        await chooseProvider({
          env: { REDIS_TARGETS: 'redis-8=redis://127.0.0.1:6379' },
          providers,
          probeDocker: never,
        })
      ).provider.name,
    ).toBe('url');
    await expect(chooseProvider({ env: { RAK_PROVIDER: 'podman' }, providers })).rejects.toThrow(
      /not one of local, docker, url/,
    );
    await expect(chooseProvider({ env: { RAK_PROVIDER: 'url' }, providers })).rejects.toThrow(/needs REDIS_TARGETS/);
  });

  it('parses REDIS_TARGETS under any name and rejects bad entries without echoing passwords', () => {
    expect([...parseTargetUrls('redis-8=redis://a:1, prod=rediss://b:2,eu_west.2=redis://c:3')]).toEqual([
      ['redis-8', 'redis://a:1'],
      ['prod', 'rediss://b:2'],
      ['eu_west.2', 'redis://c:3'],
    ]);
    for (const bad of ['prod', '=redis://a:1', 'my prod=redis://a:1', 'prod=http://a:1', '-x=redis://a:1']) {
      expect(() => parseTargetUrls(bad), bad).toThrow(/is not <name>=<redis url>/);
    }
    expect(() => parseTargetUrls('prod=redis://a:1,prod=redis://b:1')).toThrow(/names prod twice/);
    expect(() => parseTargetUrls('bad name=redis://u:hunter22@a:1')).toThrow(/bad name=redis:\/\/u:\*\*\*@a:1/);
    expect(() => parseTargetUrls('bad name=redis://u:hunter22@a:1')).not.toThrow(/hunter22/);
  });
});

describe('target selection', () => {
  const local = fake('local');
  const url = { ...fake('docker'), name: 'url' as const, names: ['prod', 'staging'] };

  it('starts every line of the table by default, or the names asked for, refusing unknown ones', () => {
    const all = availableTargets(local);
    expect(all.names).toEqual(TARGETS.map((t) => t.name));
    expect(requestedTargets(all, { env: {} })).toEqual(all.names);
    expect(requestedTargets(all, { env: { RAK_TARGETS: 'valkey-9, redis-7.0' } })).toEqual(['valkey-9', 'redis-7.0']);
    expect(requestedTargets(all, { env: { RAK_TARGETS: 'valkey-9' }, wanted: ['redis-8'] })).toEqual(['redis-8']);
    expect(() => requestedTargets(all, { env: {}, wanted: ['redis-9'] })).toThrow(TargetSelectionError);
    expect(() => requestedTargets(all, { env: {}, wanted: ['redis-9'] })).toThrow(
      'unknown target redis-9; known: redis-7.0, redis-8, valkey-8.1, valkey-9, redis-cluster',
    );
  });

  it('uses REDIS_TARGETS names for url, and the benchmarks take only the named targets a provider has', () => {
    expect(requestedTargets(availableTargets(url), { env: {} })).toEqual(['prod', 'staging']);
    expect(requestedTargets(availableTargets(url, ['redis-8', 'prod']), { env: {} })).toEqual(['prod']);
    expect(requestedTargets(availableTargets(local, ['redis-8', 'redis-cluster']), { env: {} })).toEqual([
      'redis-8',
      'redis-cluster',
    ]);
  });

  it('every line of the table is a distinct name, and the docker provider starts those with an image', () => {
    expect(new Set(TARGETS.map((t) => t.name)).size).toBe(TARGETS.length);
    expect(dockerProvider.names).toEqual(TARGETS.filter((t) => 'image' in t).map((t) => t.name));
  });
});

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

  it('writes REDIS_URL, REDIS_TARGETS and one variable per target, and never a password', () => {
    const env = serversEnv(
      [
        {
          name: 'redis-cluster',
          url: 'redis://127.0.0.1:7000',
          cluster: true,
          nodes: ['redis://127.0.0.1:7000', 'redis://127.0.0.1:7001'],
        },
        {
          name: 'prod',
          url: 'rediss://app:s3cret@cache.internal:6380',
          cluster: false,
          nodes: ['rediss://app:s3cret@cache.internal:6380'],
        },
      ],
      42,
    );
    expect(env).not.toContain('s3cret');
    expect(env.split('\n')).toEqual([
      '# Written by npm run servers (pid 42); deleted when it stops. Load with: set -a; . <this file>; set +a',
      '# Passwords are left out of these URLs: set REDIS_PASSWORD (and REDIS_USERNAME) yourself.',
      'REDIS_URL=rediss://app@cache.internal:6380',
      'REDIS_TARGETS=redis-cluster=redis://127.0.0.1:7000,prod=rediss://app@cache.internal:6380',
      'RAK_REDIS_CLUSTER_URL=redis://127.0.0.1:7000',
      'RAK_REDIS_CLUSTER_NODES=redis://127.0.0.1:7000,redis://127.0.0.1:7001',
      'RAK_PROD_URL=rediss://app@cache.internal:6380',
      '',
    ]);
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
