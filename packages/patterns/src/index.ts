export * from './cache/index.ts';
export * from './capabilities.ts';
export * from './connection.ts';
export * from './redact.ts';
