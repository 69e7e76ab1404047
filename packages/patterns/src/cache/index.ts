export * from './cache.ts';
export * from './codec.ts';
export * from './deadlines.ts';
export * from './entry.ts';
export * from './errors.ts';
export * from './stats.ts';
export * from './xfetch.ts';
