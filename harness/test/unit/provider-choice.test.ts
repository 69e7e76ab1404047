/** Choosing a provider and reading REDIS_TARGETS: decisions made before any server starts. */
import { describe, expect, it } from 'vitest';
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

  it('parses REDIS_TARGETS and rejects bad entries without echoing passwords', () => {
    expect([...parseTargetUrls('redis-8=redis://a:1, valkey-8.1=rediss://b:2')]).toEqual([
      ['redis-8', 'redis://a:1'],
      ['valkey-8.1', 'rediss://b:2'],
    ]);
    expect(() => parseTargetUrls('redis-9=redis://u:hunter22@a:1')).toThrow(/redis-9=redis:\/\/u:\*\*\*@a:1/);
    expect(() => parseTargetUrls('redis-9=redis://u:hunter22@a:1')).not.toThrow(/hunter22/);
  });
});
