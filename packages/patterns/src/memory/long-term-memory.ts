/**
 * Long-term memory on Redis 8 vector sets: one vector set per (user, namespace), so recall can never cross
 * scopes. Each memory is a record `<prefix>:ltm:{<scope id>}:m:<id>` (JSON, kept until forgotten unless `remember`
 * gives it a `ttlMs`; an expired memory's element and id go when a recall meets it, or by `forget`), an
 * element of the scope's vector set (attributes: topics, createdAt) and a member of the scope's id index (sorted
 * by time of last update), which `forget` with a filter pages through.
 *
 * De-duplication: `remember` first looks for the nearest memory in the scope; one at or above `dedupThreshold`
 * is updated (text, vector, topics) instead of a new one being added. Two concurrent remembers of the same new
 * text may both add (the check and the write are two round trips).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Capabilities } from '../capabilities.ts';
import { type Command, command, orThrow, sendBatch } from '../cluster/batch.ts';
import { type RedisClient, redactClientError } from '../connection.ts';
import { withTimeout } from '../timeout.ts';
import { LuaScript } from '../lua-script.ts';
import type { Embedder } from '../vector/embedders/embedder.ts';
import { parseVsimReply } from '../vector/vector-set-index.ts';
import { vectorSetsRequired } from '../vector/vector-sets-required.ts';
import { toFp32Blob } from '../vector/vectors.ts';
import { MemoryTimeoutError } from './working-memory.ts';

export interface LongTermMemoryOptions {
  embedder: Embedder;
  /** First part of every key. Default `memory`. */
  prefix?: string;
  /** Similarity, (1 + cos) / 2, at or above which a new memory updates the nearest existing one. Default 0.97. */
  dedupThreshold?: number;
  /** Largest memory text, in UTF-8 bytes. Default 8 KiB. */
  maxTextBytes?: number;
  /** Most memories `recall` returns (its `k` is capped here). Default 50. */
  maxK?: number;
  /** Age at which the recency term of `recall` is one half. Default 7 days. */
  recencyHalfLifeMs?: number;
  commandTimeoutMs?: number;
  capabilities?: Capabilities;
}

export const LONG_TERM_MEMORY_DEFAULTS = {
  prefix: 'memory',
  dedupThreshold: 0.97,
  maxTextBytes: 8 * 1024,
  maxK: 50,
  recencyHalfLifeMs: 7 * 24 * 60 * 60 * 1000,
  commandTimeoutMs: 5000,
} as const;

export interface MemoryScope {
  user: string;
  /** Default `default`. */
  namespace?: string;
}

export interface MemoryRecord {
  id: string;
  text: string;
  topics: string[];
  createdAt: number;
  updatedAt: number;
}

export interface RecalledMemory extends MemoryRecord {
  /** Similarity to the query, (1 + cos) / 2. */
  similarity: number;
  /** What the results are ordered by: (1 - recencyWeight) × similarity + recencyWeight × recency. */
  score: number;
}

export interface RecallOptions extends MemoryScope {
  /** Memories returned. Default 5, at most maxK. */
  k?: number;
  /** Only memories with at least one of these topics. */
  topics?: readonly string[];
  /** 0 (default): by similarity only; 1: by recency only. */
  recencyWeight?: number;
}

export interface ForgetFilter {
  /** Memories with at least one of these topics. */
  topics?: readonly string[];
  /** Memories last updated before this time (ms). */
  before?: number;
}

export interface LongTermMemory {
  /** Stores a memory (or updates a near-identical one); `ttlMs` makes it expire, else it is kept until forgotten. */
  remember(
    text: string,
    options: MemoryScope & { topics?: readonly string[]; ttlMs?: number },
  ): Promise<{ id: string; deduplicated: boolean }>;
  recall(query: string, options: RecallOptions): Promise<RecalledMemory[]>;
  /** Forgets one memory by id, or every memory matching the filter (at least one of topics/before); returns how many. */
  forget(target: string | ForgetFilter, scope: MemoryScope): Promise<number>;
}

/** KEYS vset, record, ids; ARGV blob, id, record json, attributes json, updatedAt, ttl ms (0: none). */
const UPSERT = new LuaScript(`
redis.call('VADD', KEYS[1], 'FP32', ARGV[1], ARGV[2], 'Q8', 'SETATTR', ARGV[4])
if tonumber(ARGV[6]) > 0 then redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[6]) else redis.call('SET', KEYS[2], ARGV[3]) end
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[2])
return 1
`);

/** KEYS vset, record, ids; ARGV id. */
const FORGET = new LuaScript(`
local n = redis.call('DEL', KEYS[2])
redis.call('VREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return n
`);

const NAME = /^[\w.:@-]{1,128}$/;
const TOPIC = /^[\w .:-]{1,64}$/;
const MAX_TOPICS = 16;
/** Candidates fetched per memory returned, so filters and the recency term have enough to choose from. */
const OVERFETCH = 4;
const PAGE = 200;

function checkTopics(topics: readonly string[] | undefined): string[] {
  const list = [...(topics ?? [])];
  if (list.length > MAX_TOPICS) throw new RangeError(`At most ${MAX_TOPICS} topics`);
  for (const topic of list) {
    if (typeof topic !== 'string' || !TOPIC.test(topic))
      throw new RangeError('A topic is 1 to 64 letters, digits, spaces, _, ., : or -');
  }
  return list;
}

/** `VSIM … FILTER`: memories having any of the topics (topics are checked to hold no quote or backslash). */
export function topicsFilter(topics: readonly string[]): string {
  return topics.map((topic) => `"${topic}" in .topics`).join(' or ');
}

export function createLongTermMemory(client: RedisClient, options: LongTermMemoryOptions): LongTermMemory {
  const s = { ...LONG_TERM_MEMORY_DEFAULTS, ...options };
  const ready = vectorSetsRequired(client, 'long-term memory', s.capabilities);
  const send = <T>(promise: Promise<T>, what: string) =>
    withTimeout(
      promise,
      s.commandTimeoutMs,
      () => new MemoryTimeoutError(`long-term memory ${what}: Redis did not answer within ${s.commandTimeoutMs} ms`),
    ).catch((error: unknown) => {
      throw error instanceof MemoryTimeoutError ? error : redactClientError(client, error);
    });
  const batch = async (commands: Command[], what: string) => orThrow(await send(sendBatch(client, commands), what));

  function keysOf({ user, namespace = 'default' }: MemoryScope) {
    for (const [what, value] of [
      ['user', user],
      ['namespace', namespace],
    ] as const) {
      if (typeof value !== 'string' || !NAME.test(value))
        throw new RangeError(`${what} is 1 to 128 letters, digits, _, ., :, @ or -`);
    }
    const id = createHash('sha256')
      .update(JSON.stringify([user, namespace]))
      .digest('hex')
      .slice(0, 32);
    const tag = `${s.prefix}:ltm:{${id}}`;
    return { vset: `${tag}:vset`, ids: `${tag}:ids`, record: (memory: string) => `${tag}:m:${memory}` };
  }

  async function embed(text: string): Promise<Float32Array> {
    if (typeof text !== 'string' || text.length === 0) throw new RangeError('The text must be a non-empty string');
    const bytes = Buffer.byteLength(text);
    if (bytes > s.maxTextBytes) throw new RangeError(`The text is ${bytes} bytes, over maxTextBytes ${s.maxTextBytes}`);
    return (await s.embedder.embed([text]))[0] as Float32Array;
  }

  async function nearest(vset: string, vector: Float32Array, count: number, topics: string[]) {
    const args: (string | Buffer)[] = ['FP32', toFp32Blob(vector), 'WITHSCORES', 'COUNT', String(count)];
    if (topics.length) args.push('FILTER', topicsFilter(topics));
    const [reply] = await batch([command('VSIM', vset, ...args)], 'search');
    return parseVsimReply((reply ?? []) as string[]);
  }

  async function records(keys: ReturnType<typeof keysOf>, ids: string[]): Promise<(MemoryRecord | undefined)[]> {
    if (ids.length === 0) return [];
    const replies = await batch(
      ids.map((id) => command('GET', keys.record(id))),
      'read',
    );
    return replies.map((reply) => (typeof reply === 'string' ? (JSON.parse(reply) as MemoryRecord) : undefined));
  }

  async function forgetIds(keys: ReturnType<typeof keysOf>, ids: string[]): Promise<number> {
    let n = 0;
    for (const id of ids)
      n += Number(await send(FORGET.run(client, [keys.vset, keys.record(id), keys.ids], [id]), 'forget'));
    return n;
  }

  return {
    async remember(text, options) {
      await ready();
      const keys = keysOf(options);
      const topics = checkTopics(options.topics);
      const ttlMs = options.ttlMs ?? 0;
      if (!Number.isInteger(ttlMs) || ttlMs < 0) throw new RangeError(`ttlMs must be a positive integer, got ${ttlMs}`);
      const vector = await embed(text);
      const [near] = await nearest(keys.vset, vector, 1, []);
      const now = Date.now();
      const existing = near && near.score >= s.dedupThreshold ? (await records(keys, [near.id]))[0] : undefined;
      const record: MemoryRecord = existing
        ? { ...existing, text, topics: [...new Set([...existing.topics, ...topics])], updatedAt: now }
        : { id: randomUUID(), text, topics, createdAt: now, updatedAt: now };
      await send(
        UPSERT.run(
          client,
          [keys.vset, keys.record(record.id), keys.ids],
          [
            toFp32Blob(vector),
            record.id,
            JSON.stringify(record),
            JSON.stringify({ topics: record.topics, createdAt: record.createdAt }),
            record.updatedAt,
            ttlMs,
          ],
        ),
        'remember',
      );
      return { id: record.id, deduplicated: existing !== undefined };
    },
    async recall(query, options) {
      await ready();
      const keys = keysOf(options);
      const k = options.k ?? 5;
      if (!Number.isInteger(k) || k < 1 || k > s.maxK) throw new RangeError(`k must be an integer from 1 to ${s.maxK}`);
      const weight = options.recencyWeight ?? 0;
      if (!(weight >= 0 && weight <= 1)) throw new RangeError('recencyWeight must be in [0, 1]');
      const hits = await nearest(
        keys.vset,
        await embed(query),
        weight > 0 ? k * OVERFETCH : k,
        checkTopics(options.topics),
      );
      const found = await records(
        keys,
        hits.map((hit) => hit.id),
      );
      const now = Date.now();
      const recalled: RecalledMemory[] = [];
      const expired: string[] = [];
      hits.forEach((hit, i) => {
        const record = found[i];
        if (!record) return void expired.push(hit.id);
        const recency = 0.5 ** (Math.max(0, now - record.updatedAt) / s.recencyHalfLifeMs);
        recalled.push({ ...record, similarity: hit.score, score: (1 - weight) * hit.score + weight * recency });
      });
      // Memories whose record expired leave the vector set and the id index as soon as a recall meets them.
      if (expired.length) await forgetIds(keys, expired);
      return recalled.sort((a, b) => b.score - a.score).slice(0, k);
    },
    async forget(target, scope) {
      await ready();
      const keys = keysOf(scope);
      if (typeof target === 'string') return forgetIds(keys, [target]);
      const topics = checkTopics(target.topics);
      if (!topics.length && target.before === undefined)
        throw new RangeError('forget needs an id, or a filter with topics or before');
      const max = target.before === undefined ? '+inf' : `(${target.before}`;
      let removed = 0;
      let offset = 0;
      for (;;) {
        const [page] = (await batch(
          [command('ZRANGE', keys.ids, '-inf', max, 'BYSCORE', 'LIMIT', String(offset), String(PAGE))],
          'forget',
        )) as string[][];
        if (!page || page.length === 0) break;
        const matching = topics.length
          ? (await records(keys, page))
              .filter((r): r is MemoryRecord => !!r && r.topics.some((t) => topics.includes(t)))
              .map((r) => r.id)
          : page;
        removed += await forgetIds(keys, matching);
        // Every matching id left the index (an expired one too, though it counts no record removed).
        offset += page.length - matching.length;
      }
      return removed;
    },
  };
}
