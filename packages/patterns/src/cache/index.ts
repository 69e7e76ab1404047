export * from './cache.ts';
export * from './codec.ts';
export * from './entry.ts';
export * from './errors.ts';
export * from './key-slot.ts';
export * from './per-key.ts';
export * from './stats.ts';
export * from './xfetch.ts';
