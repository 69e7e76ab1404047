import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binaryCommand, ServerBinaryMissingError } from '../src/provision/binaries.ts';
import { debianArchiveUris, provisionServers, readManifest } from '../src/provision/debian.ts';

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

describe('provisionServers', () => {
  const cache = mkdtempSync(join(tmpdir(), 'rak-provision-test-'));
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  it('downloads once into a fresh cache, then finds it and downloads nothing', () => {
    const env = { ...process.env, RAK_CACHE_DIR: cache };
    const lines: string[] = [];
    const first = provisionServers((l) => lines.push(l), env);
    expect(first.downloaded).toBe(true);
    expect(first.manifest.packages['redis-server']).toMatch(/^5:8\.0\./);
    expect(first.manifest.packages['valkey-server']).toMatch(/^8\.1\./);
    const second = provisionServers((l) => lines.push(l), env);
    expect(second.downloaded).toBe(false);
    expect(lines.at(-1)).toMatch(/nothing downloaded/);
    expect(readManifest(first.dir)).toEqual(first.manifest);
  });

  it('says how to get the binaries when they are missing', () => {
    expect(() => binaryCommand('redis', 'server', join(cache, 'nowhere'))).toThrow(ServerBinaryMissingError);
    expect(() => binaryCommand('redis', 'server', join(cache, 'nowhere'))).toThrow(/npm run provision/);
  });
});
