import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileCheckpoint } from '../src/session/checkpoint.ts';

const dir = mkdtempSync(join(tmpdir(), 'rak-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createFileCheckpoint', () => {
  it('has nothing before the first save, keeps the last sid saved, and forgets it on clear', async () => {
    const checkpoint = createFileCheckpoint(join(dir, 'copy.json'));
    expect(await checkpoint.load()).toBeUndefined();
    await checkpoint.save('abc');
    await checkpoint.save('abd');
    expect(await checkpoint.load()).toBe('abd');
    await checkpoint.clear();
    expect(await checkpoint.load()).toBeUndefined();
  });

  it('refuses an unreadable checkpoint, saying how to start over', async () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"lastSid": ');
    await expect(createFileCheckpoint(path).load()).rejects.toThrow(/Delete it to start over/);
  });
});
