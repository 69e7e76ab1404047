import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalCluster } from '../src/targets/local-cluster.ts';
import { LocalServer } from '../src/targets/local-server.ts';
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

  it('parses REDIS_TARGETS and rejects bad entries without echoing passwords', () => {
    expect([...parseTargetUrls('redis-8=redis://a:1, valkey-8.1=rediss://b:2')]).toEqual([
      ['redis-8', 'redis://a:1'],
      ['valkey-8.1', 'rediss://b:2'],
    ]);
    expect(() => parseTargetUrls('redis-9=redis://u:hunter22@a:1')).toThrow(/redis-9=redis:\/\/u:\*\*\*@a:1/);
    expect(() => parseTargetUrls('redis-9=redis://u:hunter22@a:1')).not.toThrow(/hunter22/);
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

  it('Ctrl-C on `npm run servers` stops every server it started', async () => {
    const cli = spawn(process.execPath, ['--conditions=source', join(import.meta.dirname, '../src/targets/cli.ts')], {
      env: { ...process.env, RAK_PROVIDER: 'local', RAK_TARGETS: 'redis-8,redis-cluster' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const pids = await new Promise<number[]>((resolve, reject) => {
      cli.stdout.on('data', (chunk: Buffer) => {
        output += chunk;
        const m = /running \(pids (\[[\d,]+\])\)/.exec(output);
        if (m?.[1]) resolve(JSON.parse(m[1]) as number[]);
      });
      cli.once('exit', (code) => reject(new Error(`servers CLI exited ${code}: ${output}`)));
    });
    expect(pids).toHaveLength(7);
    expect(pids.every(alive)).toBe(true);
    const exited = new Promise((resolve) => cli.once('exit', resolve));
    cli.kill('SIGINT');
    await exited;
    expect(pids.filter(alive)).toEqual([]);
  });
});
