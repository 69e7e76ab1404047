/** Choosing a provider and reading REDIS_TARGETS: decisions made before any server starts. */
import { describe, expect, it } from 'vitest';
import { dockerProvider } from '../../src/targets/docker.ts';
import {
  availableTargets,
  fixedPorts,
  requestedTargets,
  TARGETS,
  TargetSelectionError,
} from '../../src/targets/index.ts';
import { chooseProvider } from '../../src/targets/provider.ts';
import type { Provider } from '../../src/targets/types.ts';
import { parseTargetUrls } from '../../src/targets/url.ts';

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

  it('gives fixed ports in order, six to a cluster', () => {
    expect(fixedPorts(['redis-7.0', 'redis-cluster', 'valkey-9'], 7000)).toEqual([7000, 7001, 7007]);
  });

  it('every line of the table is a distinct name, and the docker provider starts those with an image', () => {
    expect(new Set(TARGETS.map((t) => t.name)).size).toBe(TARGETS.length);
    expect(dockerProvider.names).toEqual(TARGETS.filter((t) => 'image' in t).map((t) => t.name));
  });
});
