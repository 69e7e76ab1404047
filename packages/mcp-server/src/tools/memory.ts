/**
 * Agent memory on the patterns' memory module: `memory` is long-term memory (remember, recall, forget) scoped to a
 * user and namespace, on vector sets (not registered where the server has none: Valkey, Redis 7); `working_memory`
 * is a session's ordered message log within a token budget (get, append), on every server. Texts are embedded by
 * the embedder the environment names (EMBEDDINGS_URL and EMBEDDINGS_MODEL, else the local hashing embedder, which
 * matches spelling, not meaning). Keys use the patterns' prefix (`memory`, or `prefix`), so an agent sees what
 * the app stores.
 *
 * Bounds: a memory text or query is at most MAX_TEXT_CHARS characters (and the patterns' 8 KiB), a message at most
 * MAX_MESSAGE_CHARS (and 16 KiB); recall returns at most min(--max-items, 50) memories, get at most --max-items
 * messages (the newest). TTL rules as for every write: `ttl` (seconds; `ttl: 0` for none, memories only: a
 * session always expires), else the server's default TTL, else refused.
 */
import {
  createLongTermMemory,
  createWorkingMemory,
  LONG_TERM_MEMORY_DEFAULTS,
  WORKING_MEMORY_DEFAULTS,
} from '@redis-agent-kit/patterns/memory';
import { type Embedder, embedderFromEnv } from '@redis-agent-kit/patterns/vector';
import { z } from 'zod';
import { PolicyError, ttlForNewKey } from '../guard.ts';
import { args, DEFAULT_COUNT, defineGroup, defineTool, type ToolContext } from '../tool.ts';

/** Longest memory text or recall query accepted, in characters (the pattern also caps it at 8 KiB of UTF-8). */
export const MAX_TEXT_CHARS = LONG_TERM_MEMORY_DEFAULTS.maxTextBytes;
/** Longest working-memory message accepted, in characters (the pattern also caps it at 16 KiB of UTF-8). */
export const MAX_MESSAGE_CHARS = WORKING_MEMORY_DEFAULTS.maxMessageBytes;

const embedders = new WeakMap<ToolContext, Embedder>();

function embedderFor(ctx: ToolContext): Embedder {
  let embedder = embedders.get(ctx);
  if (!embedder) embedders.set(ctx, (embedder = embedderFromEnv(ctx.env)));
  return embedder;
}

const name = z.string().regex(/^[\w.:@-]{1,128}$/);
const prefix = z
  .string()
  .regex(/^[\w.:-]{1,64}$/)
  .optional();

const memoryView = z.object({
  id: z.string(),
  text: z.string(),
  topics: z.array(z.string()),
  createdAt: z.number(),
  updatedAt: z.number(),
  similarity: z.number(),
  score: z.number(),
});

const message = z.object({ role: z.string(), content: z.string(), tokens: z.number(), at: z.number() });

const longTerm = defineTool({
  name: 'memory',
  summary: 'Long-term memories per user and namespace.',
  ops: {
    recall: ['read', 'k nearest to text, topics: any of, recencyWeight 0..1'],
    remember: ['write', 'a near-duplicate is updated'],
    forget: ['write', 'id, or topics and/or before (ms)'],
  },
  bound: `O(log n) each; k ≤${LONG_TERM_MEMORY_DEFAULTS.maxK}`,
  input: ({ limits }) => ({
    user: name,
    namespace: name.optional(),
    prefix,
    text: z.string().min(1).max(MAX_TEXT_CHARS).optional(),
    k: z.number().int().min(1).max(Math.min(limits.maxItems, LONG_TERM_MEMORY_DEFAULTS.maxK)).optional(),
    topics: z.array(z.string().max(64)).max(16).optional(),
    recencyWeight: z.number().min(0).max(1).optional(),
    id: z.string().max(64).optional(),
    before: z.number().int().optional(),
    ttl: args.ttl,
  }),
  writeArgs: ['id', 'before', 'ttl'],
  output: {
    memories: z.array(memoryView).optional(),
    remembered: z.object({ id: z.string(), deduplicated: z.boolean() }).optional(),
    forgotten: z.number().int().optional(),
  },
  requires: 'vectorSets',
  async run(input, ctx) {
    const memory = createLongTermMemory(ctx.redis, {
      embedder: embedderFor(ctx),
      capabilities: ctx.caps,
      ...(input.prefix ? { prefix: input.prefix } : {}),
    });
    const scope = { user: input.user, ...(input.namespace ? { namespace: input.namespace } : {}) };
    switch (input.op) {
      case 'recall': {
        if (input.text === undefined) throw new Error('recall needs text (what to look for)');
        const memories = await memory.recall(input.text, {
          ...scope,
          k: input.k ?? Math.min(DEFAULT_COUNT, ctx.limits.maxItems),
          ...(input.topics ? { topics: input.topics } : {}),
          ...(input.recencyWeight !== undefined ? { recencyWeight: input.recencyWeight } : {}),
        });
        return { memories };
      }
      case 'remember': {
        if (input.text === undefined) throw new Error('remember needs text (the memory)');
        const ttl = ttlForNewKey(input, ctx.limits);
        return {
          remembered: await memory.remember(input.text, {
            ...scope,
            ...(input.topics ? { topics: input.topics } : {}),
            ...(ttl > 0 ? { ttlMs: ttl * 1000 } : {}),
          }),
        };
      }
      case 'forget': {
        if (input.id !== undefined) return { forgotten: await memory.forget(input.id, scope) };
        if (!input.topics?.length && input.before === undefined)
          throw new Error('forget needs id, or topics and/or before');
        return {
          forgotten: await memory.forget(
            {
              ...(input.topics ? { topics: input.topics } : {}),
              ...(input.before !== undefined ? { before: input.before } : {}),
            },
            scope,
          ),
        };
      }
    }
  },
});

const working = defineTool({
  name: 'working_memory',
  summary: `A session's messages, oldest trimmed past tokenBudget (default ${WORKING_MEMORY_DEFAULTS.tokenBudget}), expiring when idle.`,
  ops: {
    get: ['read', 'newest count'],
    append: ['write', 'renews TTL'],
  },
  bound: 'O(messages)',
  input: ({ limits }) => ({
    session: z.string().regex(/^[\w.:-]{1,200}$/),
    prefix,
    count: args.count(limits),
    role: z.enum(['system', 'user', 'assistant', 'tool']).optional(),
    content: z.string().min(1).max(MAX_MESSAGE_CHARS).optional(),
    tokenBudget: z.number().int().min(1).max(1_000_000).optional(),
    ttl: args.expiry,
  }),
  writeArgs: ['role', 'content', 'tokenBudget', 'ttl'],
  output: {
    messages: z.array(message).optional(),
    omitted: z.number().int().optional(),
    trimmed: z.number().int().optional(),
    tokens: z.number(),
  },
  destructive: false,
  async run(input, ctx) {
    const ttl = input.ttl ?? ctx.limits.defaultTtl;
    const memory = createWorkingMemory(ctx.redis, {
      ...(input.prefix ? { prefix: input.prefix } : {}),
      ...(input.tokenBudget ? { tokenBudget: input.tokenBudget } : {}),
      ...(ttl > 0 ? { ttlMs: ttl * 1000 } : {}),
    });
    switch (input.op) {
      case 'get': {
        const { messages, tokens } = await memory.get(input.session);
        const count = Math.min(input.count ?? DEFAULT_COUNT, ctx.limits.maxItems);
        const shown = messages.slice(-count);
        return {
          messages: shown,
          tokens,
          ...(shown.length < messages.length ? { omitted: messages.length - shown.length } : {}),
        };
      }
      case 'append': {
        if (ttl <= 0) throw new PolicyError('a session always expires: pass ttl (seconds)');
        if (!input.role || input.content === undefined) throw new Error('append needs role and content');
        const { trimmed, tokens } = await memory.append(input.session, { role: input.role, content: input.content });
        // Trimmed messages are counted, not echoed: up to maxMessages of them could go at once, and the answer stays small.
        return { trimmed: trimmed.length, tokens };
      }
    }
  },
});

export default defineGroup('memory', longTerm, working);
