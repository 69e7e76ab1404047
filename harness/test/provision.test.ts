import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { provisionServers, readManifest } from '../src/provision/debian.ts';

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
});
