/**
 * Undoing a cutover, for a rollback to the PostgreSQL store: once every instance runs connect-pg-simple again, the
 * table is the truth, and what the cutover left in Redis is stale. `resetCutover` deletes it, so a later cutover
 * starts from the table as it is then:
 *
 * 1. logouts made through the cutover store are applied to the table first (their moved markers say `ended`): a
 *    logout whose row delete could not be made while PostgreSQL was down must not come back;
 * 2. every moved marker of the prefix is deleted (left behind, it would log out the sessions it names in the next
 *    cutover, whatever their rows say);
 * 3. every session key under the prefix is deleted (left behind, a stale copy would hide a row changed or deleted
 *    during the rollback);
 * 4. the copy's checkpoint is cleared.
 *
 * Bounds: SCAN with `scanCount` per call on every master (never KEYS), and each batch of keys it returns is read and
 * deleted before the next: memory holds one batch. An operator's command, never a request path. The prefix must not
 * be empty: the reset deletes every key under it.
 */
import { command, orThrow, sendBatch } from '../cluster/batch.ts';
import { masters } from '../cluster/nodes.ts';
import type { RedisClient } from '../connection.ts';
import { type Checkpoint, createRedisCheckpoint } from './checkpoint.ts';
import { LegacySessionTable, type LegacyTableOptions, type SqlClient } from './legacy-table.ts';
import { ENDED, MARKER_NAMESPACE, scanPatterns, sessionKeyOfMarker } from './moved-marker.ts';

export interface ResetCutoverOptions extends LegacyTableOptions {
  /** The legacy database (where the logouts recorded in Redis are applied). */
  legacy: SqlClient;
  /** connect-redis' `prefix`: every key under it is deleted. */
  prefix?: string;
  /** The copy's resume point to clear; default `createRedisCheckpoint(client, { tableName, schemaName })`; false for none. */
  checkpoint?: Checkpoint | false;
  /** Counts what would be deleted and deletes nothing. */
  dryRun?: boolean;
  /** Keys per SCAN call. */
  scanCount?: number;
  /** Called after every batch with the counts so far. */
  onProgress?: (counts: ResetCounts) => void;
}

export const RESET_DEFAULTS = {
  prefix: 'sess:',
  dryRun: false,
  scanCount: 1000,
} as const;

export interface ResetCounts {
  /** Session keys under the prefix deleted (in a dry run: found). */
  sessions: number;
  /** Moved markers deleted (found). */
  markers: number;
  /** Rows deleted for logouts made in Redis (in a dry run: logouts found). */
  logoutsApplied: number;
}

export interface ResetReport extends ResetCounts {
  dryRun: boolean;
  ms: number;
}

/** `client`: a client from `connect()`, standalone or cluster. */
export async function resetCutover(client: RedisClient, options: ResetCutoverOptions): Promise<ResetReport> {
  const started = performance.now();
  const prefix = options.prefix ?? RESET_DEFAULTS.prefix;
  if (prefix === '') {
    throw new RangeError('resetCutover deletes every key under the session prefix; an empty prefix would be every key');
  }
  const dryRun = options.dryRun ?? RESET_DEFAULTS.dryRun;
  const count = options.scanCount ?? RESET_DEFAULTS.scanCount;
  if (!Number.isSafeInteger(count) || count < 1)
    throw new RangeError(`scanCount must be a positive integer, got ${count}`);
  const table = new LegacySessionTable(options.legacy, options);
  const counts: ResetCounts = { sessions: 0, markers: 0, logoutsApplied: 0 };
  const patterns = scanPatterns(prefix);
  const unlink = async (keys: string[]) => {
    if (!dryRun)
      orThrow(
        await sendBatch(
          client,
          keys.map((key) => command('UNLINK', key)),
        ),
      );
  };

  for await (const markers of scanAll(client, patterns.markers, count)) {
    const values = orThrow(
      await sendBatch(
        client,
        markers.map((key) => command('GET', key)),
      ),
    );
    const ended = markers
      .filter((_, i) => values[i] === ENDED)
      .map((marker) => sessionKeyOfMarker(marker).slice(prefix.length));
    if (!dryRun) await table.remove(ended);
    counts.logoutsApplied += ended.length;
    await unlink(markers);
    counts.markers += markers.length;
    options.onProgress?.({ ...counts });
  }
  for await (const keys of scanAll(client, patterns.sessions, count)) {
    const sessions = keys.filter((key) => !key.startsWith(MARKER_NAMESPACE));
    await unlink(sessions);
    counts.sessions += sessions.length;
    options.onProgress?.({ ...counts });
  }
  if (!dryRun && options.checkpoint !== false) {
    const { tableName, schemaName } = options;
    await (options.checkpoint ?? createRedisCheckpoint(client, { tableName, schemaName })).clear();
  }
  return { ...counts, dryRun, ms: performance.now() - started };
}

/** SCAN with MATCH and a bounded COUNT on every master, one page at a time (never KEYS). */
async function* scanAll(client: RedisClient, match: string, count: number): AsyncGenerator<string[]> {
  for (const node of masters(client)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', count);
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }
}
