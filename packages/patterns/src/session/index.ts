/**
 * `@redis-agent-kit/patterns/session`: moving express-session from connect-pg-simple (PostgreSQL) to connect-redis
 * (a bulk copier, its checkpoints and report, a cutover store). express-session, an optional peer, is loaded only
 * when a cutover store is built.
 */
export { COPY_DEFAULTS, type CopySessionsOptions, copySessions } from './bulk-copy.ts';
export {
  type Checkpoint,
  createFileCheckpoint,
  createRedisCheckpoint,
  REDIS_CHECKPOINT_DEFAULTS,
  type RedisCheckpointOptions,
} from './checkpoint.ts';
export {
  type ConnectRedisStore,
  type CutoverStats,
  type CutoverStore,
  type CutoverStoreOptions,
  createCutoverStore,
} from './cutover-store.ts';
export { type LegacyTableOptions, quoteIdentifier, type SqlClient } from './legacy-table.ts';
export { type CopyProgress, formatProgress, formatReport, type MalformedSession, type SessionCopyReport } from './report.ts';
