export * from './capabilities.ts';
export * from './connection.ts';
export * from './redact.ts';
export * from './session/index.ts';
