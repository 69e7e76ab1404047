/** Provisioning decisions that need no download: which archives to use, and what a missing binary says. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binaryCommand, ServerBinaryMissingError } from '../../src/provision/binaries.ts';
import { debianArchiveUris, type Manifest, unmetTargets } from '../../src/provision/debian.ts';
import { TARGETS, targetSpec, upstreamVersion, versionMatches } from '../../src/targets/catalog.ts';

describe('debianArchiveUris', () => {
  it('reads deb822 and one-line sources and leaves out the security archive', () => {
    const uris = debianArchiveUris([
      {
        name: 'debian.sources',
        text: 'Types: deb\nURIs: http://archive.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb\nURIs: http://archive.example/debian-security\nSuites: bookworm-security\nComponents: main\n',
      },
      {
        name: 'sources.list',
        text: '# comment\ndeb [arch=amd64] http://mirror.example/debian bookworm main\ndeb http://mirror.example/debian-security bookworm-security main\n',
      },
    ]);
    expect(uris).toEqual(['http://archive.example/debian', 'http://mirror.example/debian']);
  });
});

describe('binaryCommand', () => {
  it('says how to get the binaries when they are missing', () => {
    expect(() => binaryCommand('redis', 'server', 'trixie', join(import.meta.dirname, 'nowhere'))).toThrow(
      ServerBinaryMissingError,
    );
    expect(() => binaryCommand('redis', 'server', 'trixie', join(import.meta.dirname, 'nowhere'))).toThrow(
      /npm run provision/,
    );
  });
});

describe('target versions', () => {
  it('reads the upstream version out of a Debian package version', () => {
    expect(upstreamVersion('5:8.0.2-3+deb13u3')).toBe('8.0.2');
    expect(upstreamVersion('5:7.0.15-1~deb12u7')).toBe('7.0.15');
    expect(upstreamVersion('8.1.1+dfsg1-3+deb13u3')).toBe('8.1.1');
    expect(upstreamVersion('9.1.2-1')).toBe('9.1.2');
  });

  it('matches a line version a whole dotted part at a time', () => {
    expect(versionMatches('8.0.6', '8.0')).toBe(true);
    expect(versionMatches('8.0.6', '8.0.6')).toBe(true);
    expect(versionMatches('8.0.2', '8.0.6')).toBe(false);
    expect(versionMatches('8.01.1', '8.0')).toBe(false);
  });

  it('tests the newest packaged Redis 8.0 alone and keeps the older 8.0 on the cluster', () => {
    const single = targetSpec('redis-8');
    const cluster = targetSpec('redis-cluster');
    // sid moves on: the line takes whichever 8.0.x sid has (a fresh machine must not fail on 8.0.7), while the
    // cluster stays on trixie's 8.0.2, named, so two 8.0 patches stay covered.
    expect(single).toMatchObject({ suite: 'sid', version: '8.0' });
    expect(cluster).toMatchObject({ suite: 'trixie', version: '8.0.2' });
    expect(versionMatches('8.0.7', single?.version ?? '')).toBe(true);
    for (const t of TARGETS) expect(t.version).toMatch(/^\d+\.\d+(\.\d+)?$/);
  });

  it('installs a suite again when its cache lacks a line or holds another patch than the line names', () => {
    const redis8 = targetSpec('redis-8');
    if (!redis8) throw new Error('no redis-8 line');
    const manifest = (packages: Record<string, string>): Manifest => ({ suite: 'sid', installedAt: '', packages });
    // The sid cache as it was before redis-8 moved there: Valkey only.
    expect(unmetTargets(manifest({ 'valkey-server': '9.1.2-1', 'valkey-tools': '9.1.2-1' }), [redis8])).toEqual([
      'redis-8: redis-server not installed',
    ]);
    expect(unmetTargets(manifest({ 'redis-server': '5:7.4.2-1', 'redis-tools': '5:7.4.2-1' }), [redis8])).toEqual([
      'redis-8: redis-server 7.4.2, the line says 8.0',
    ]);
    expect(unmetTargets(manifest({ 'redis-server': '5:8.0.6-1', 'redis-tools': '5:8.0.6-1' }), [redis8])).toEqual([]);
    expect(unmetTargets(undefined, [redis8])).toEqual(['redis-8: redis-server not installed']);
  });
});
