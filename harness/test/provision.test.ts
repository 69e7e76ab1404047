import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binaryCommand } from '../src/provision/binaries.ts';
import { provisionServers, readManifest } from '../src/provision/debian.ts';
import { TARGETS, upstreamVersion, versionMatches } from '../src/targets/catalog.ts';

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
      const installed = upstreamVersion(suite?.manifest.packages[spec.package] ?? 'none');
      expect(versionMatches(installed, spec.version), `${spec.name}: ${installed}`).toBe(true);
      expect(() => binaryCommand(spec.server, 'server', spec.suite, suite?.dir)).not.toThrow();
    }
    const second = provisionServers((l) => lines.push(l), env);
    expect(second.every((r) => !r.downloaded)).toBe(true);
    expect(lines.at(-1)).toMatch(/nothing downloaded/);
    for (const r of first) expect(readManifest(r.dir)).toEqual(r.manifest);
  });
});
