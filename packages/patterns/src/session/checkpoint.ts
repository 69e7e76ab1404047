/**
 * Where a bulk copy remembers the last sid it finished, so an interrupted copy resumes there: a Redis key with a
 * TTL (default), or a file the caller names. Written only after a batch's writes succeeded.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { RedisClient } from '../connection.ts';
import type { LegacyTableOptions } from './legacy-table.ts';

export interface Checkpoint {
  /** Human-readable location for messages. */
  readonly where: string;
  load(): Promise<string | undefined>;
  save(lastSid: string): Promise<void>;
  clear(): Promise<void>;
}

export interface RedisCheckpointOptions extends LegacyTableOptions {
  /** The key; default `session-migration:checkpoint:<schema.><table>`, one per legacy table. */
  key?: string;
  /** How long an unfinished copy's resume point is kept. */
  ttlSeconds?: number;
}

export const REDIS_CHECKPOINT_DEFAULTS = {
  /** A week: long enough to resume after a weekend, short enough not to linger. */
  ttlSeconds: 7 * 24 * 3600,
} as const;

/** A plain key (no hash tag: it is the only key the checkpoint touches). */
export function createRedisCheckpoint(client: RedisClient, options: RedisCheckpointOptions = {}): Checkpoint {
  const table = `${options.schemaName ? `${options.schemaName}.` : ''}${options.tableName ?? 'session'}`;
  const key = options.key ?? `session-migration:checkpoint:${table}`;
  const ttlSeconds = options.ttlSeconds ?? REDIS_CHECKPOINT_DEFAULTS.ttlSeconds;
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

/** A JSON file at `path`, replaced atomically on each save. */
export function createFileCheckpoint(path: string): Checkpoint {
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
