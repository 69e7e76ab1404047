export * from './audit/index.ts';
export * from './cache/index.ts';
export * from './capabilities.ts';
export * from './connection.ts';
export * from './ratelimit/index.ts';
export * from './redact.ts';
export * from './vector/index.ts';
