/**
 * `npm run migrate [-- --dry-run] [--batch-size=N] [--restart] [--checkpoint-file=PATH]`: copies every live
 * session from the connect-pg-simple table to connect-redis keys, with a progress bar on a terminal and a report
 * at the end. Run it while the cutover store is deployed (see README). Interrupted (Ctrl-C, a failure), it resumes
 * where it stopped when run again; `--restart` forgets the checkpoint.
 *
 * The legacy database is DATABASE_URL, or the embedded PGlite a running `npm start` serves on PGLITE_PORT.
 */
import { parseArgs } from 'node:util';
import { closeClient, connect, progressLine, redactUrl } from '@redis-agent-kit/patterns';
import {
  type Checkpoint,
  copySessions,
  createFileCheckpoint,
  createRedisCheckpoint,
  formatProgress,
  formatReport,
} from '@redis-agent-kit/patterns/session';
import pg from 'pg';
import { legacyDatabaseUrl, loadConfig } from './config.ts';

const { values } = parseArgs({
  options: {
    'dry-run': { type: 'boolean', default: false },
    'batch-size': { type: 'string', default: '1000' },
    restart: { type: 'boolean', default: false },
    'checkpoint-file': { type: 'string' },
  },
});
const config = loadConfig();
const batchSize = Number(values['batch-size']);
if (!Number.isInteger(batchSize) || batchSize < 1)
  throw new Error(`--batch-size=${values['batch-size']} is not a positive number`);

const databaseUrl = legacyDatabaseUrl(config);
const legacy = new pg.Pool({ connectionString: databaseUrl, max: 2 });
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
const redis = await connect({ url: config.redisUrl, cluster: config.redisCluster, name: 'session-migration' });
const checkpoint: Checkpoint = values['checkpoint-file']
  ? createFileCheckpoint(values['checkpoint-file'])
  : createRedisCheckpoint(redis, { tableName: config.tableName });
if (values.restart) await checkpoint.clear();

// Ctrl-C finishes the batch in flight and saves the checkpoint; a second Ctrl-C exits at once.
const stop = new AbortController();
process.once('SIGINT', () => {
  stop.abort();
  process.once('SIGINT', () => process.exit(130));
});
const progress = progressLine();
const bar = (done: number, total: number, width = 24) => {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
};
console.log(
  `${values['dry-run'] ? 'Dry run: ' : ''}copying sessions from ${redactUrl(databaseUrl)} table "${config.tableName}" to ${redactUrl(config.redisUrl)} keys ${config.redisPrefix}<sid> (checkpoint: ${checkpoint.where})`,
);
try {
  const report = await copySessions(redis, {
    legacy,
    tableName: config.tableName,
    prefix: config.redisPrefix,
    batchSize,
    dryRun: values['dry-run'],
    checkpoint,
    signal: stop.signal,
    onProgress: (p) => {
      progress.update(`${bar(p.scanned, p.total)} ${formatProgress(p)}`);
    },
  });
  progress.done();
  console.log(formatReport(report));
  process.exitCode = report.completed ? 0 : 130;
} catch (error) {
  progress.done();
  console.error(redactUrl((error as Error).message));
  process.exitCode = 1;
} finally {
  await closeClient(redis);
  await legacy.end();
}
