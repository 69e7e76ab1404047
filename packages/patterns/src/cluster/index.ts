/** Cluster-aware sending shared by the patterns and the MCP server: hash slots, masters, and one batch module. */
export {
  BATCH_DEFAULTS,
  type BatchOptions,
  type Command,
  type CommandArg,
  command,
  commandSlot,
  keyless,
  orThrow,
  sendBatch,
  sendTransaction,
  withKeys,
} from './batch.ts';
export { hashTag, keySlot } from './key-slot.ts';
export { masters, nodeAddress } from './nodes.ts';
