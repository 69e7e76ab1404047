/**
 * Long-term memory on Redis 8 vector sets: one vector set per (user, namespace), so recall can never cross
 * scopes. Each memory is a record `<prefix>:ltm:{<scope id>}:m:<id>` (JSON, kept until forgotten unless `remember`
 * gives it a `ttlMs`), an element of the scope's vector set (attributes: topics, createdAt), a member of the
 * scope's id index (sorted by time of last update), which `forget` with a filter pages through, and, when it has a
 * TTL, a member of the scope's expiry index (sorted by expiry time).
 *
 * Reads never write: `recall` skips an element whose record is gone (expired) and leaves its removal to the write
 * paths, so it works for a read-only ACL user and in a read-only MCP server. After each `remember`, up to
 * `sweepBatch` of the scope's expired memories leave the vector set and the indexes (oldest expiry first), so
 * memory stays bounded under a stream of expiring memories.
 *
 * Writes: a new memory's record and index entries are written first (one script), then its element with
 * `VADD … CAS` as its own command, so the server collects the element's neighbours on a background thread instead
 * of holding the main thread (inside a script or MULTI, VADD ignores CAS). A remember that stops between the two
 * leaves a record without element, which no recall can find (recall only reaches records through elements); with a
 * TTL it is swept when it expires, without one `forget` by filter still lists it. An update never re-adds the
 * element (VADD of an existing element re-inserts it on the main thread, which CAS cannot do): it keeps the memory's
 * vector and sets its record, index entries and attributes in one script, and only if the record is still the one it
 * read (else it reads again).
 *
 * De-duplication: `remember` first looks for the nearest live memory in the scope; one at or above `dedupThreshold`
 * is updated (text, topics) instead of a new one being added. Concurrent remembers of near-identical new texts may
 * each add one; so after adding its element, a remember looks again, and if another live memory is within the
 * threshold it merges itself into it (its text and topics into that record, its own record and element removed) in
 * one script that runs only if both records are as it read them. Of two racing memories the merge that runs first
 * wins and the other finds its target gone, so one memory remains (tested with concurrent remembers); a caller may
 * get the id of a memory that a later merge folded into another.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Capabilities } from '../capabilities.ts';
import { type Command, command, orThrow, sendBatch } from '../cluster/batch.ts';
import { type RedisClient, redactClientError } from '../connection.ts';
import { withTimeout } from '../timeout.ts';
import { LUA_NOW_MS, LuaScript } from '../lua-script.ts';
import type { Embedder } from '../vector/embedders/embedder.ts';
import { EXPIRY_SWEEP } from '../vector/expiry-sweep.ts';
import { SETTLE_ELEMENT } from '../vector/settle-element.ts';
import { LUA_VREM_OR_DEFER } from '../vector/vrem-or-defer.ts';
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
  /** Expired memories removed from the scope after each `remember`. Default 20. */
  sweepBatch?: number;
  commandTimeoutMs?: number;
  capabilities?: Capabilities;
}

export const LONG_TERM_MEMORY_DEFAULTS = {
  prefix: 'memory',
  dedupThreshold: 0.97,
  maxTextBytes: 8 * 1024,
  maxK: 50,
  recencyHalfLifeMs: 7 * 24 * 60 * 60 * 1000,
  sweepBatch: 20,
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

/**
 * ADD: KEYS record, ids, expiry; ARGV id, record json, updatedAt, ttl ms (0: none). A new memory's bookkeeping,
 * written before its element is added (the element is what makes it findable). Expiry times are the server's.
 */
const ADD = new LuaScript(`${LUA_NOW_MS}
local ttl = tonumber(ARGV[4])
if ttl > 0 then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl)
  redis.call('ZADD', KEYS[3], now_ms() + ttl, ARGV[1])
else
  redis.call('SET', KEYS[1], ARGV[2])
end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
`);

/**
 * UPDATE: KEYS vset, ids, expiry, record[, source record]; ARGV id, record as read, new record, updatedAt, ttl ms
 * (0: none), attributes json[, source id, source record as read]. Sets the memory's record, index entries and
 * attributes (its vector stays), and the longer of its remaining lifetime and the new TTL (a merge never shortens a
 * memory's life), only if its record and element are still there and the record is as read; with a
 * source, also removes the source memory (merged into this one), only if its record is as read too. Returns 1, or 0
 * when the record changed or went, -1 when the source's did.
 */
const UPDATE = new LuaScript(`${LUA_NOW_MS}${LUA_VREM_OR_DEFER}
if redis.call('GET', KEYS[4]) ~= ARGV[2] or redis.call('VISMEMBER', KEYS[1], ARGV[1]) == 0 then return 0 end
if KEYS[5] and redis.call('GET', KEYS[5]) ~= ARGV[8] then return -1 end
-- The longer lifetime wins: a kept memory stays kept, and a TTL is only ever extended.
local ttl = tonumber(ARGV[5])
local left = redis.call('PTTL', KEYS[4])
if left < 0 then ttl = 0 elseif ttl > 0 and left > ttl then ttl = left end
if ttl > 0 then
  redis.call('SET', KEYS[4], ARGV[3], 'PX', ttl)
  redis.call('ZADD', KEYS[3], now_ms() + ttl, ARGV[1])
else
  redis.call('SET', KEYS[4], ARGV[3])
  redis.call('ZREM', KEYS[3], ARGV[1])
end
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
redis.call('VSETATTR', KEYS[1], ARGV[1], ARGV[6])
if KEYS[5] then
  redis.call('DEL', KEYS[5])
  redis.call('ZREM', KEYS[2], ARGV[7])
  forget_element(KEYS[1], KEYS[3], ARGV[7])
end
return 1
`);

/** FORGET: KEYS vset, record, ids, expiry; ARGV id. */
const FORGET = new LuaScript(`${LUA_VREM_OR_DEFER}
local n = redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
forget_element(KEYS[1], KEYS[4], ARGV[1])
return n
`);

const NAME = /^[\w.:@-]{1,128}$/;
const TOPIC = /^[\w .:-]{1,64}$/;
const MAX_TOPICS = 16;
/** Candidates fetched per memory returned, so filters and the recency term have enough to choose from. */
const OVERFETCH = 4;
const PAGE = 200;
/** Candidates looked at for de-duplication: the nearest live one at or above the threshold is the match. */
const DEDUP_CANDIDATES = 4;
/** Times a remember reads again when a record changed under it (another remember updated or merged it). */
const ATTEMPTS = 5;

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
  if (!Number.isInteger(s.sweepBatch) || s.sweepBatch < 1)
    throw new RangeError(`sweepBatch must be a positive integer, got ${s.sweepBatch}`);
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
    return {
      vset: `${tag}:vset`,
      ids: `${tag}:ids`,
      expiry: `${tag}:exp`,
      record: (memory: string) => `${tag}:m:${memory}`,
    };
  }
  type Keys = ReturnType<typeof keysOf>;

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

  /** The records' raw JSON, in order (undefined where gone). Reads only. */
  async function rawRecords(keys: Keys, ids: readonly string[]): Promise<(string | undefined)[]> {
    if (ids.length === 0) return [];
    const replies = await batch(
      ids.map((id) => command('GET', keys.record(id))),
      'read',
    );
    return replies.map((reply) => (typeof reply === 'string' ? reply : undefined));
  }

  async function records(keys: Keys, ids: string[]): Promise<(MemoryRecord | undefined)[]> {
    return (await rawRecords(keys, ids)).map((raw) =>
      raw === undefined ? undefined : (JSON.parse(raw) as MemoryRecord),
    );
  }

  /** The nearest live memory at or above the de-duplication threshold, other than `except`, with its record as read. */
  async function nearestLive(keys: Keys, vector: Float32Array, except?: string) {
    const near = (await nearest(keys.vset, vector, DEDUP_CANDIDATES, [])).filter(
      (hit) => hit.score >= s.dedupThreshold && hit.id !== except,
    );
    const raws = await rawRecords(
      keys,
      near.map((hit) => hit.id),
    );
    const i = raws.findIndex((raw) => raw !== undefined);
    return i < 0 ? undefined : { id: (near[i] as { id: string }).id, raw: raws[i] as string };
  }

  /**
   * UPDATE of `target` (as read: `raw`) with this text and these topics, and with `source` merged into it and
   * removed; returns the script's answer (1 done, 0 target changed or gone, -1 source changed or gone).
   */
  async function update(
    keys: Keys,
    target: { id: string; raw: string },
    change: { text: string; topics: string[]; ttlMs: number },
    source?: { id: string; raw: string },
  ): Promise<number> {
    const existing = JSON.parse(target.raw) as MemoryRecord;
    const merged = source ? (JSON.parse(source.raw) as MemoryRecord).topics : [];
    const record: MemoryRecord = {
      ...existing,
      text: change.text,
      topics: [...new Set([...existing.topics, ...merged, ...change.topics])],
      updatedAt: Date.now(),
    };
    const reply = await send(
      UPDATE.run(
        client,
        [keys.vset, keys.ids, keys.expiry, keys.record(target.id), ...(source ? [keys.record(source.id)] : [])],
        [
          target.id,
          target.raw,
          JSON.stringify(record),
          record.updatedAt,
          change.ttlMs,
          JSON.stringify({ topics: record.topics, createdAt: record.createdAt }),
          ...(source ? [source.id, source.raw] : []),
        ],
      ),
      'remember',
    );
    return Number(reply);
  }

  /** Up to sweepBatch of the scope's expired memories leave the set and the indexes (see EXPIRY_SWEEP). */
  async function sweep(keys: Keys): Promise<void> {
    await send(EXPIRY_SWEEP.run(client, [keys.vset, keys.expiry, keys.ids], [s.sweepBatch, keys.record('')]), 'sweep');
  }

  /** Adds a new memory: bookkeeping first, then its element (VADD CAS, its own command); returns its id. */
  async function add(keys: Keys, vector: Float32Array, change: { text: string; topics: string[]; ttlMs: number }) {
    const now = Date.now();
    const record: MemoryRecord = {
      id: randomUUID(),
      text: change.text,
      topics: change.topics,
      createdAt: now,
      updatedAt: now,
    };
    await send(
      ADD.run(
        client,
        [keys.record(record.id), keys.ids, keys.expiry],
        [record.id, JSON.stringify(record), now, change.ttlMs],
      ),
      'remember',
    );
    const attributes = JSON.stringify({ topics: record.topics, createdAt: record.createdAt });
    const [reply] = await send(
      sendBatch(client, [
        command('VADD', keys.vset, 'FP32', toFp32Blob(vector), record.id, 'CAS', 'Q8', 'SETATTR', attributes),
      ]),
      'remember',
    );
    if (reply instanceof Error) {
      // The server refused the element (a dimension that does not match the set, say): its record goes too, so no
      // record without element is left behind by a refusal. (A timeout leaves it: with a TTL it is swept later.)
      await forgetIds(keys, [record.id]);
      throw redactClientError(client, reply);
    }
    // The record may have gone between the two steps (forgotten, or swept after a very short TTL): then the element
    // goes too, so none is left that nothing points at. The set itself has no TTL (0).
    await send(
      SETTLE_ELEMENT.run(client, [keys.vset, keys.record(record.id), keys.expiry], [record.id, 0]),
      'remember',
    );
    return record.id;
  }

  /**
   * After adding `id`: if another live memory is within the threshold (a concurrent remember added it, or it was
   * added after our first look), merge ours into it. Returns the id the memory ended as.
   */
  async function settle(
    keys: Keys,
    vector: Float32Array,
    id: string,
    change: { text: string; topics: string[]; ttlMs: number },
  ) {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const other = await nearestLive(keys, vector, id);
      if (!other) return { id, deduplicated: false };
      const [mine] = await rawRecords(keys, [id]);
      if (mine === undefined) return { id, deduplicated: false }; // forgotten or expired meanwhile
      const done = await update(keys, other, change, { id, raw: mine });
      if (done === 1) return { id: other.id, deduplicated: true };
    }
    return { id, deduplicated: false };
  }

  async function forgetIds(keys: Keys, ids: string[]): Promise<number> {
    let n = 0;
    for (const id of ids)
      n += Number(await send(FORGET.run(client, [keys.vset, keys.record(id), keys.ids, keys.expiry], [id]), 'forget'));
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
      const change = { text, topics, ttlMs };
      let result: { id: string; deduplicated: boolean } | undefined;
      for (let attempt = 0; attempt < ATTEMPTS && !result; attempt++) {
        const existing = await nearestLive(keys, vector);
        if (!existing) break;
        if ((await update(keys, existing, change)) === 1) result = { id: existing.id, deduplicated: true };
      }
      result ??= await settle(keys, vector, await add(keys, vector, change), change);
      await sweep(keys);
      return result;
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
      hits.forEach((hit, i) => {
        const record = found[i];
        // A read only: a memory whose record expired is skipped; the sweep after the next remember removes it.
        if (!record) return;
        const recency = 0.5 ** (Math.max(0, now - record.updatedAt) / s.recencyHalfLifeMs);
        recalled.push({ ...record, similarity: hit.score, score: (1 - weight) * hit.score + weight * recency });
      });
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
