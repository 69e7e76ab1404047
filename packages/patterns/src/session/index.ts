/** Session migration from connect-pg-simple (PostgreSQL) to connect-redis: a bulk copier and a cutover store. */
export * from './bulk-copy.ts';
export * from './checkpoint.ts';
export * from './cutover-store.ts';
export * from './legacy-table.ts';
export * from './report.ts';
export * from './session-row.ts';
