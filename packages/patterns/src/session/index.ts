/**
 * `@redis-agent-kit/patterns/session`: moving express-session from connect-pg-simple (PostgreSQL) to connect-redis
 * (a bulk copier, its checkpoints and report, a cutover store, the reset a rollback needs), and a session repository
 * for code that reads and writes sessions itself. express-session, an optional peer, is loaded only when a cutover
 * store is built.
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
  CUTOVER_STORE_DEFAULTS,
  type CutoverStats,
  type CutoverStore,
  type CutoverStoreOptions,
  createCutoverStore,
} from './cutover-store.ts';
export { type LegacyTableOptions, quoteIdentifier, type SqlClient } from './legacy-table.ts';
export { markerKey } from './moved-marker.ts';
export {
  type CopyProgress,
  type FormatReportOptions,
  formatProgress,
  formatReport,
  type MalformedSession,
  type SessionCopyReport,
  type TooLargeSession,
} from './report.ts';
export { RESET_DEFAULTS, type ResetCounts, type ResetCutoverOptions, type ResetReport, resetCutover } from './reset.ts';
export {
  chooseSessionFormat,
  createSessionRepository,
  SESSION_REPOSITORY_DEFAULTS,
  type SessionFields,
  type SessionFormat,
  type SessionRepository,
  type SessionRepositoryOptions,
  type StoredSession,
} from './repository.ts';
