/** Agent memory: working memory per session (an ordered log within a token budget) and long-term memory (vector sets, de-duplicated, scoped recall). */
export {
  createLongTermMemory,
  type ForgetFilter,
  LONG_TERM_MEMORY_DEFAULTS,
  type LongTermMemory,
  type LongTermMemoryOptions,
  type MemoryRecord,
  type MemoryScope,
  type RecalledMemory,
  type RecallOptions,
} from './long-term-memory.ts';
export {
  createWorkingMemory,
  MemoryTimeoutError,
  type Message,
  WORKING_MEMORY_DEFAULTS,
  type WorkingMemory,
  type WorkingMemoryOptions,
} from './working-memory.ts';
