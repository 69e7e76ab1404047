/**
 * Where a bulk copy remembers the last sid it finished, so an interrupted copy resumes there: a Redis key with a
 * TTL (default), or a file the caller names. Written only after a batch's writes succeeded.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { RedisClient } from '../connection.ts';

export interface Checkpoint {
  /** Human-readable location for messages. */
  readonly where: string;
  load(): Promise<string | undefined>;
  save(lastSid: string): Promise<void>;
  clear(): Promise<void>;
}

/** Kept a week: long enough to resume after a weekend, short enough not to linger. */
export const CHECKPOINT_TTL_SECONDS = 7 * 24 * 3600;

/** A plain key (no hash tag: it is the only key the checkpoint touches). */
export function redisCheckpoint(client: RedisClient, key: string, ttlSeconds = CHECKPOINT_TTL_SECONDS): Checkpoint {
  return {
    where: `Redis key ${key}`,
    async load() {
      return (await client.get(key)) ?? undefined;
    },
    async save(lastSid) {
      await client.set(key, lastSid, 'EX', ttlSeconds);
    },
    async clear() {
      await client.unlink(key);
    },
  };
}

export function fileCheckpoint(path: string): Checkpoint {
  return {
    where: `file ${path}`,
    async load() {
      try {
        return (JSON.parse(await readFile(path, 'utf8')) as { lastSid: string }).lastSid;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new Error(
          `Cannot read the copy checkpoint ${path}: ${(error as Error).message}. Delete it to start over.`,
          { cause: error },
        );
      }
    },
    async save(lastSid) {
      // Write then rename, so a crash mid-write never leaves a half checkpoint.
      await writeFile(`${path}.tmp`, JSON.stringify({ lastSid, savedAt: new Date().toISOString() }));
      await rename(`${path}.tmp`, path);
    },
    async clear() {
      await rm(path, { force: true });
    },
  };
}
