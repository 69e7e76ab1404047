/** Cluster helpers shared by the patterns: hash slots, and one pipeline per node for many keys. */
export * from './key-slot.ts';
export * from './per-key.ts';
