import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binaryCommand, ServerBinaryMissingError } from '../src/provision/binaries.ts';
import { debianArchiveUris, provisionServers, readManifest } from '../src/provision/debian.ts';
import { TARGETS } from '../src/targets/catalog.ts';

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

  it('downloads each Debian suite of the target table once into a fresh cache, then downloads nothing', () => {
    const env = { ...process.env, RAK_CACHE_DIR: cache };
    const lines: string[] = [];
    const first = provisionServers((l) => lines.push(l), env);
    expect(first.map((r) => r.suite).sort()).toEqual([...new Set(TARGETS.map((t) => t.suite))].sort());
    expect(first.every((r) => r.downloaded)).toBe(true);
    // Every line of the table names a package its suite has, at the version the line says (epoch and Debian
    // revision aside: 5:7.0.15-1~deb12u7 is 7.0.15).
    for (const spec of TARGETS) {
      const suite = first.find((r) => r.suite === spec.suite);
      const installed = suite?.manifest.packages[spec.package]?.replace(/^\d+:/, '');
      expect(installed?.startsWith(`${spec.version}.`), `${spec.name}: ${installed}`).toBe(true);
      expect(() => binaryCommand(spec.server, 'server', spec.suite, suite?.dir)).not.toThrow();
    }
    const second = provisionServers((l) => lines.push(l), env);
    expect(second.every((r) => !r.downloaded)).toBe(true);
    expect(lines.at(-1)).toMatch(/nothing downloaded/);
    for (const r of first) expect(readManifest(r.dir)).toEqual(r.manifest);
  });

  it('says how to get the binaries when they are missing', () => {
    expect(() => binaryCommand('redis', 'server', 'trixie', join(cache, 'nowhere'))).toThrow(ServerBinaryMissingError);
    expect(() => binaryCommand('redis', 'server', 'trixie', join(cache, 'nowhere'))).toThrow(/npm run provision/);
  });
});
