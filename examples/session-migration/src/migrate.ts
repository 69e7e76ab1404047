/**
 * `npm run migrate [-- options]`: copies every live session from the connect-pg-simple table to connect-redis keys,
 * with a progress bar on a terminal and a report at the end; `--reset` undoes a cutover for a rollback. Run it while
 * the cutover store is deployed (see README). Stopped (Ctrl-C, SIGTERM, a failure), the copy resumes where it
 * stopped when run again; `--restart` forgets the checkpoint. `--help` lists the options.
 *
 * The legacy database is DATABASE_URL, or the embedded PGlite a running `npm start` serves on PGLITE_PORT. Redis is
 * REDIS_URL with REDIS_USERNAME, REDIS_PASSWORD, REDIS_TLS_* and REDIS_CLUSTER, read as the app reads them.
 */
import { parseArgs } from 'node:util';
import { closeClient, connect, progressLine, redactText, redactUrl } from '@redis-agent-kit/patterns';
import {
  COPY_DEFAULTS,
  type Checkpoint,
  copySessions,
  createFileCheckpoint,
  createRedisCheckpoint,
  formatProgress,
  formatReport,
  resetCutover,
} from '@redis-agent-kit/patterns/session';
import pg from 'pg';
import { legacyDatabaseUrl, loadConfig } from './config.ts';

const USAGE = `Usage: npm run migrate -- [options]

Copies every live session from the connect-pg-simple table (DATABASE_URL, or the PGlite \`npm start\` serves) to
connect-redis keys in Redis (REDIS_URL and friends). Safe to run again: it never overwrites a session already in
Redis and resumes after the last finished batch.

Options:
  --dry-run                 read and check everything, write nothing
  --batch-size=N            rows per batch (default ${COPY_DEFAULTS.batchSize})
  --max-value-bytes=N       copy sessions up to N bytes of JSON (default ${COPY_DEFAULTS.maxValueBytes}); larger ones are
                            reported as too large and move on their first request while the cutover store runs
  --restart                 forget the checkpoint and start from the first row
  --checkpoint-file=PATH    keep the checkpoint in a file instead of the Redis key
  --reset                   roll back a cutover: once every instance runs SESSION_STORE=pg again, apply the logouts
                            made in Redis to the table, then delete the copied keys, their markers and the checkpoint
                            (with --dry-run: count them only)
  -h, --help                this text

Ctrl-C or SIGTERM finishes the batch in flight, saves the checkpoint and prints the report; a second one exits at once.`;

/** Exit code for a command-line mistake (and a message, never a stack trace). */
function usageError(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

let values: ReturnType<typeof parse>['values'];
function parse() {
  return parseArgs({
    options: {
      'dry-run': { type: 'boolean', default: false },
      'batch-size': { type: 'string', default: String(COPY_DEFAULTS.batchSize) },
      'max-value-bytes': { type: 'string', default: String(COPY_DEFAULTS.maxValueBytes) },
      restart: { type: 'boolean', default: false },
      'checkpoint-file': { type: 'string' },
      reset: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}
try {
  ({ values } = parse());
} catch (error) {
  usageError((error as Error).message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const positive = (name: string, text: string) => {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) usageError(`--${name}=${text} is not a positive whole number`);
  return value;
};
const batchSize = positive('batch-size', values['batch-size']);
const maxValueBytes = positive('max-value-bytes', values['max-value-bytes']);

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  usageError((error as Error).message);
}
const secrets = [config.redis.password];
const databaseUrl = legacyDatabaseUrl(config);
const legacy = new pg.Pool({ connectionString: databaseUrl, max: 2, connectionTimeoutMillis: 5000 });
legacy.on('error', () => {});
try {
  await legacy.query('SELECT 1');
} catch (error) {
  console.error(
    `Cannot reach the legacy database at ${redactUrl(databaseUrl)}: ${redactUrl((error as Error).message)}.\n` +
      (config.databaseUrl
        ? 'Check DATABASE_URL.'
        : 'Start the app first (`npm start` serves its embedded PGlite there) or set DATABASE_URL.'),
  );
  await legacy.end();
  process.exit(1);
}
let redis: Awaited<ReturnType<typeof connect>>;
try {
  redis = await connect({ env: process.env, name: 'session-migration' });
} catch (error) {
  console.error(redactText((error as Error).message, secrets));
  await legacy.end();
  process.exit(1);
}
const checkpoint: Checkpoint = values['checkpoint-file']
  ? createFileCheckpoint(values['checkpoint-file'])
  : createRedisCheckpoint(redis, { tableName: config.tableName });
const dryRun = values['dry-run'];
const where = `${redactUrl(databaseUrl)} table "${config.tableName}" and ${config.redis.display} keys ${config.redisPrefix}<sid>`;

try {
  if (values.reset) {
    console.log(`${dryRun ? 'Dry run: ' : ''}resetting the cutover of ${where} (checkpoint: ${checkpoint.where})`);
    const report = await resetCutover(redis, {
      legacy,
      tableName: config.tableName,
      prefix: config.redisPrefix,
      checkpoint,
      dryRun,
    });
    console.log(
      [
        `${dryRun ? 'Dry run' : 'Reset'} finished in ${(report.ms / 1000).toFixed(2)} s`,
        `  ${dryRun ? 'would apply' : 'applied'} ${report.logoutsApplied} logouts made in Redis to the table`,
        `  ${dryRun ? 'would delete' : 'deleted'} ${report.sessions} session keys and ${report.markers} moved markers`,
        dryRun
          ? 'Nothing was written.'
          : 'Checkpoint cleared. The table is the truth again; a new cutover starts from it as it is then.',
      ].join('\n'),
    );
  } else {
    if (values.restart) await checkpoint.clear();
    // The first Ctrl-C or SIGTERM finishes the batch in flight and saves the checkpoint; a second one exits at once.
    const stop = new AbortController();
    let stoppedWith = 130;
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      process.once(signal, () => {
        stoppedWith = code;
        stop.abort();
        process.once(signal, () => process.exit(code));
      });
    }
    const progress = progressLine();
    const bar = (done: number, total: number, width = 24) => {
      const filled = total === 0 ? width : Math.round((done / total) * width);
      return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    };
    console.log(`${dryRun ? 'Dry run: ' : ''}copying sessions from ${where} (checkpoint: ${checkpoint.where})`);
    try {
      const report = await copySessions(redis, {
        legacy,
        tableName: config.tableName,
        prefix: config.redisPrefix,
        batchSize,
        maxValueBytes,
        dryRun,
        checkpoint,
        signal: stop.signal,
        onProgress: (p) => progress.update(`${bar(p.scanned, p.total)} ${formatProgress(p)}`),
      });
      progress.done();
      console.log(formatReport(report, { raiseLimit: (bytes) => `--max-value-bytes=${bytes}` }));
      process.exitCode = report.completed ? 0 : stoppedWith;
    } finally {
      progress.done();
    }
  }
} catch (error) {
  console.error(redactText((error as Error).message, secrets));
  process.exitCode = 1;
} finally {
  await closeClient(redis);
  await legacy.end();
}
