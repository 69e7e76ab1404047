/**
 * Copies every live session from the connect-pg-simple table to the keys connect-redis reads (`sess:<sid>`,
 * compact JSON, TTL = the row's remaining lifetime), so switching stores logs nobody out.
 *
 * - Batches: keyset pagination on sid, one pipelined write per batch (one pipeline per node on a cluster), the
 *   next batch read while this one is written.
 * - Idempotent: one script per session writes the key only when it is absent (never overwriting: a session
 *   already in Redis is at least as new as its row, because during the cutover sessions are written only to
 *   Redis), together with its moved marker (see moved-marker.ts).
 * - No resurrection: a session that was moved before and has ended in Redis since (logout, expiry, a shortened
 *   maxAge) keeps its marker until its row expires, and is not copied again. A logout through the cutover store
 *   while a batch is in flight leaves a marker too. A row deleted by anything else while its batch was in flight
 *   (a pg store, pruning) is caught after the batch: the copier checks that the rows it wrote are still in the
 *   table and deletes the copies of those that are not.
 * - Resumable: the last sid of each finished batch is saved to a checkpoint; a stopped or failed run resumes
 *   after it; a finished run clears it.
 * - Dry run: reads and checks everything (EXISTS instead of SET) and writes nothing, checkpoint included.
 */
import { command, orThrow, sendBatch, withKeys } from '../cluster/batch.ts';
import { masters } from '../cluster/nodes.ts';
import type { RedisClient } from '../connection.ts';
import { LuaScript } from '../lua-script.ts';
import { type Checkpoint, createRedisCheckpoint } from './checkpoint.ts';
import { LegacySessionTable, type LegacyTableOptions, type SqlClient } from './legacy-table.ts';
import { markerKey, MOVE_SCRIPT, moveOutcome } from './moved-marker.ts';
import type { CopyCounts, CopyProgress, SessionCopyReport } from './report.ts';
import { type JudgedRow, judgeRow, type LegacyRow } from './session-row.ts';

export interface CopySessionsOptions extends LegacyTableOptions {
  /** The legacy database: anything with `query(text, params)` returning `{ rows }` (pg.Pool, pg.Client, PGlite). */
  legacy: SqlClient;
  /** connect-redis' `prefix`: a session is copied to `<prefix><sid>`. */
  prefix?: string;
  /** Rows per batch: one SELECT and one pipeline (per cluster node) each. */
  batchSize?: number;
  /** Reads and checks everything, writes nothing (EXISTS instead of SET; no checkpoint). */
  dryRun?: boolean;
  /** Where to keep the resume point; default `createRedisCheckpoint(client, { tableName, schemaName })`; false for none. */
  checkpoint?: Checkpoint | false;
  /** Stops after the current batch; the report then has `completed: false`. */
  signal?: AbortSignal;
  /** Called after every batch; draw a progress bar with it (see `formatProgress`). */
  onProgress?: (progress: CopyProgress) => void;
  /** Sessions larger than this (compact JSON, UTF-8 bytes) are reported as too large instead of written. */
  maxValueBytes?: number;
}

export const COPY_DEFAULTS = {
  /** connect-redis' default: a session lives at `sess:<sid>`. */
  prefix: 'sess:',
  batchSize: 1000,
  dryRun: false,
  /** The kit's rule for every value: 100 KB unless the caller raises it. */
  maxValueBytes: 100 * 1024,
} as const;

type LiveSession = Extract<JudgedRow, { kind: 'live' }>;

const MOVE = new LuaScript(MOVE_SCRIPT);

/** `client`: a client from `connect()`, standalone or cluster; the sessions are written through it. */
export async function copySessions(client: RedisClient, options: CopySessionsOptions): Promise<SessionCopyReport> {
  const started = performance.now();
  const { signal } = options;
  const prefix = options.prefix ?? COPY_DEFAULTS.prefix;
  const dryRun = options.dryRun ?? COPY_DEFAULTS.dryRun;
  const batchSize = positiveInteger('batchSize', options.batchSize ?? COPY_DEFAULTS.batchSize);
  const maxBytes = positiveInteger('maxValueBytes', options.maxValueBytes ?? COPY_DEFAULTS.maxValueBytes);
  const table = new LegacySessionTable(options.legacy, options);
  const { tableName, schemaName } = options;
  const checkpoint =
    options.checkpoint === false
      ? undefined
      : (options.checkpoint ?? createRedisCheckpoint(client, { tableName, schemaName }));

  if (!(await table.exists())) {
    throw new Error(
      `There is no session table ${table.name} in the legacy database: check the table name (connect-pg-simple's tableName and schemaName) and which database you reach.`,
    );
  }
  const resumedFrom = await checkpoint?.load();
  const total = await table.count(resumedFrom);
  const counts: CopyCounts = {
    scanned: 0,
    copied: 0,
    expired: 0,
    alreadyPresent: 0,
    ended: 0,
    vanished: 0,
    malformed: [],
    tooLarge: [],
  };
  let lastSid = resumedFrom;
  let batches = 0;

  // The next batch is read while this one is written, so PostgreSQL and Redis latencies overlap.
  let next: Promise<LegacyRow[]> | undefined = table.batch(lastSid, batchSize);
  try {
    while (next && !signal?.aborted) {
      const rows: LegacyRow[] = await next;
      if (rows.length === 0) break;
      const batchLast = (rows.at(-1) as LegacyRow).sid;
      next = rows.length < batchSize ? undefined : table.batch(batchLast, batchSize);
      // A failure below abandons the read ahead; its own failure then must not surface as unhandled.
      next?.catch(() => {});
      const live: LiveSession[] = [];
      for (const row of rows) {
        const judged = judgeRow(row, maxBytes);
        if (judged.kind === 'live') live.push(judged);
        else if (judged.kind === 'expired') counts.expired++;
        else if (judged.kind === 'too-large') counts.tooLarge.push({ sid: judged.sid, bytes: judged.bytes });
        else counts.malformed.push({ sid: judged.sid, reason: judged.reason });
      }
      const { written, present, ended } = await writeBatch(client, prefix, live, dryRun);
      counts.alreadyPresent += present;
      counts.ended += ended;
      const vanished = dryRun ? 0 : await removeVanished(table, client, prefix, rows, written);
      counts.vanished += vanished;
      counts.copied += written.length - vanished;
      counts.scanned += rows.length;
      lastSid = batchLast;
      batches++;
      if (!dryRun) await checkpoint?.save(lastSid);
      options.onProgress?.({ ...counts, malformed: counts.malformed.length, tooLarge: counts.tooLarge.length, total });
    }
  } catch (error) {
    throw new Error(
      `Session copy stopped: ${(error as Error).message}. ${
        lastSid === undefined ? 'No batch was finished' : `Sessions up to ${lastSid} are done`
      }; fix the cause and run the copy again to resume.`,
      { cause: error },
    );
  }
  const completed = !signal?.aborted;
  if (completed && !dryRun) await checkpoint?.clear();
  return {
    ...counts,
    dryRun,
    completed,
    resumedFrom,
    lastSid,
    batches,
    maxValueBytes: maxBytes,
    ms: performance.now() - started,
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/**
 * Moves each live session with the MOVE script (in a dry run: reads whether its key or marker exists); returns the
 * sids written (would be written) and how many were already present or had ended in Redis.
 */
async function writeBatch(
  client: RedisClient,
  prefix: string,
  live: LiveSession[],
  dryRun: boolean,
): Promise<{ written: string[]; present: number; ended: number }> {
  const keys = live.map((session) => prefix + session.sid);
  const outcomes = dryRun
    ? await dryRunOutcomes(client, keys)
    : (
        await runScriptBatch(
          client,
          MOVE,
          live.map((session, i) => {
            const key = keys[i] as string;
            return { keys: [key, markerKey(key)], args: [session.value, session.ttlMs, '0'] };
          }),
        )
      ).map((reply, i) => {
        if (reply instanceof Error) throw new Error(`Redis refused ${keys[i]}: ${reply.message}`);
        return moveOutcome(reply).kind;
      });
  const written = live.filter((_, i) => outcomes[i] === 'written').map((session) => session.sid);
  const count = (kind: string) => outcomes.filter((outcome) => outcome === kind).length;
  return { written, present: count('present'), ended: count('ended') };
}

/** What MOVE would answer for each key, read with EXISTS (the key, then its marker): nothing is written. */
async function dryRunOutcomes(client: RedisClient, keys: string[]): Promise<('written' | 'present' | 'ended')[]> {
  const replies = orThrow(
    await sendBatch(
      client,
      keys.flatMap((key) => [command('EXISTS', key), command('EXISTS', markerKey(key))]),
    ),
  );
  return keys.map((_, i) => (replies[2 * i] === 1 ? 'present' : replies[2 * i + 1] === 1 ? 'ended' : 'written'));
}

/**
 * One EVALSHA per call, batched like any command (one pipeline per node on a cluster). A node that answers NOSCRIPT
 * (restarted, failed over) gets the script once by SCRIPT LOAD on every master, and those calls are sent again.
 */
async function runScriptBatch(
  client: RedisClient,
  script: LuaScript,
  calls: { keys: string[]; args: (string | number)[] }[],
): Promise<unknown[]> {
  const evalsha = (call: (typeof calls)[number]) =>
    withKeys(
      'EVALSHA',
      [script.sha, call.keys.length, ...call.keys, ...call.args],
      call.keys.map((_, i) => 2 + i),
    );
  const replies = await sendBatch(client, calls.map(evalsha));
  const missing = replies.flatMap((reply, i) =>
    reply instanceof Error && reply.message.startsWith('NOSCRIPT') ? [i] : [],
  );
  if (missing.length === 0) return replies;
  await Promise.all(masters(client).map((node) => node.script('LOAD', script.source)));
  const again = await sendBatch(
    client,
    missing.map((i) => evalsha(calls[i] as (typeof calls)[number])),
  );
  missing.forEach((at, j) => {
    replies[at] = again[j];
  });
  return replies;
}

/**
 * Deletes again the copies of sessions whose rows were deleted while their batch was in flight. Usually none
 * were: one count over the batch's sid range proves it (the cutover store never inserts rows, so a range that
 * still holds as many rows as were read lost none); only otherwise is each written sid looked up.
 */
async function removeVanished(
  table: LegacySessionTable,
  client: RedisClient,
  prefix: string,
  rows: LegacyRow[],
  written: string[],
): Promise<number> {
  if (written.length === 0) return 0;
  const range = await table.countBetween((rows[0] as LegacyRow).sid, (rows.at(-1) as LegacyRow).sid);
  if (range === rows.length) return 0;
  const still = await table.existing(written);
  const gone = written.filter((sid) => !still.has(sid)).map((sid) => prefix + sid);
  // A failed UNLINK would leave a logged-out session in Redis: it fails the copy instead.
  if (gone.length > 0)
    orThrow(
      await sendBatch(
        client,
        gone.map((key) => command('UNLINK', key)),
      ),
    );
  return gone.length;
}
