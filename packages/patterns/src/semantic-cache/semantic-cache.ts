/**
 * A semantic cache for LLM answers on Redis 8 vector sets: `check` embeds the prompt and looks for a stored prompt
 * within the threshold in the same scope; `store` keeps the answer under its own key with a TTL; `answer` does both
 * around an upstream call, sharing one call between concurrent near-identical misses.
 *
 * Reads never write: `check` skips an element whose answer is gone (expired or not yet written) and leaves its
 * removal to the write paths, so it works for a read-only ACL user and in a read-only MCP server.
 *
 * Writes: `store` sends the bookkeeping first, in one script (the answer with its TTL, the expiry index, the TTLs of
 * the scope's keys), then `VADD … CAS` as its own command, so the server collects the new element's neighbours on a
 * background thread instead of holding the main thread (inside a script or MULTI, VADD ignores CAS). A store that
 * stops between the two leaves an answer key without element (never found by a check; swept when it expires), never
 * an element a check could take for a live entry; an element is only ever trusted with its answer key. The same
 * prompt stored again keeps its element (same prompt, same vector), which also avoids VADD's in-place update, a
 * re-insert on the main thread that CAS cannot take.
 *
 * Expiry: vector-set elements have no TTL, so each answer is a string key with one, and the element goes when its
 * answer is found gone by the bounded sweep after every store (the scope's `sweepBatch` oldest expired entries) and
 * by `sweep()`. A scope's vector set and expiry index carry the TTL of their longest-lived answer, so a scope that
 * stops receiving stores vanishes by itself. Memory therefore levels off under a steady stream of new prompts
 * (tested with a scaled-down stream).
 *
 * Keys: `<prefix>:<name>:{<scope id>}:vset|exp|a:<entry>` (one slot per scope), and `<prefix>:<name>:scopes`, a
 * hash scope id → scope (the one key without a TTL: it lists the scopes ever used, so `invalidate` can find them
 * by a partial scope; it grows with the number of distinct scopes, not prompts).
 */
import { type Command, command, orThrow, sendBatch, withKeys } from '../cluster/batch.ts';
import { type RedisClient, redactClientError } from '../connection.ts';
import { withTimeout } from '../timeout.ts';
import { parseVsimReply } from '../vector/vector-set-index.ts';
import { vectorSetsRequired } from '../vector/vector-sets-required.ts';
import { toFp32Blob } from '../vector/vectors.ts';
import { NearDuplicateCalls } from './coalesce.ts';
import { SEMANTIC_CACHE_DEFAULTS, type SemanticCacheOptions } from './options.ts';
import { checkScope, entryId, type Scope, type ScopeKeys, scopeId, scopeKeys } from './scope.ts';
import { EXPIRY_SWEEP } from '../vector/expiry-sweep.ts';
import { SETTLE_ELEMENT } from '../vector/settle-element.ts';
import { BOOK, FORGET } from './scripts.ts';

export class SemanticCacheTimeoutError extends Error {
  override readonly name = 'SemanticCacheTimeoutError';
}

export interface CacheHit {
  hit: true;
  answer: string;
  /** (1 + cos) / 2 between the asked prompt and the stored one, as the vector set scored it. */
  similarity: number;
  /** The stored prompt that matched. */
  prompt: string;
  metadata: Record<string, unknown>;
  /** When it was stored (server time, ms). */
  storedAt: number;
}

export interface CacheMiss {
  hit: false;
  /** The best similarity seen below the threshold, if any. */
  bestSimilarity?: number;
}

export interface StoreOptions {
  scope: Scope;
  metadata?: Record<string, unknown>;
  /** This entry's TTL. Default the cache's `ttlMs`. */
  ttlMs?: number;
}

export interface AnswerResult {
  answer: string;
  /** `hit`: from Redis; `upstream`: this call ran `load`; `shared`: another call's `load` in this process answered. */
  source: 'hit' | 'upstream' | 'shared';
  similarity?: number;
}

export interface SemanticCache {
  readonly threshold: number;
  check(prompt: string, options: { scope: Scope }): Promise<CacheHit | CacheMiss>;
  store(prompt: string, answer: string, options: StoreOptions): Promise<void>;
  /** `check`, else `load()` once for all concurrent near-identical misses in this process, stored, then returned. */
  answer(prompt: string, options: StoreOptions, load: () => Promise<string>): Promise<AnswerResult>;
  /** Removes the entry stored for exactly this prompt; returns whether there was one. */
  invalidateEntry(prompt: string, options: { scope: Scope }): Promise<boolean>;
  /** Removes every entry of each scope matching `where` (a subset of the scope fields, e.g. `{ model }`); returns entries removed. */
  invalidate(where: Partial<Scope>): Promise<number>;
  /** Removes up to `sweepBatch` expired entries from every known scope; returns how many. */
  sweep(): Promise<number>;
  /** Elements in a scope's vector set (live and not yet swept). */
  size(options: { scope: Scope }): Promise<number>;
}

interface Stored {
  prompt: string;
  answer: string;
  metadata: Record<string, unknown>;
  storedAt: number;
}

/** Entries read or removed per round trip when a scope is invalidated or scanned. */
const PAGE = 500;

export function createSemanticCache(client: RedisClient, options: SemanticCacheOptions): SemanticCache {
  const s = { ...SEMANTIC_CACHE_DEFAULTS, ...options };
  const fields = [...s.scopeFields];
  if (fields.length === 0) throw new RangeError('scopeFields names no field: name at least one (a tenant, a model)');
  if (!(s.threshold > 0 && s.threshold <= 1)) throw new RangeError(`threshold must be in (0, 1], got ${s.threshold}`);
  for (const [name, value] of Object.entries({ ttlMs: s.ttlMs, candidates: s.candidates, sweepBatch: s.sweepBatch })) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  const base = `${s.prefix}:${s.name}`;
  const registry = `${base}:scopes`;
  const inFlight = new NearDuplicateCalls();
  const ready = vectorSetsRequired(client, 'the semantic cache', s.capabilities);

  const send = <T>(promise: Promise<T>, what: string): Promise<T> =>
    withTimeout(
      promise,
      s.commandTimeoutMs,
      () =>
        new SemanticCacheTimeoutError(`semantic cache ${what}: Redis did not answer within ${s.commandTimeoutMs} ms`),
    ).catch((error: unknown) => {
      throw error instanceof SemanticCacheTimeoutError ? error : redactClientError(client, error);
    });

  /** One command routed by its key (on a cluster, straight to the node serving the scope's slot). */
  async function one(cmd: Command, what: string): Promise<unknown> {
    const [reply] = orThrow(await send(sendBatch(client, [cmd]), what));
    return reply;
  }

  async function embed(prompt: string): Promise<Float32Array> {
    if (typeof prompt !== 'string' || prompt.length === 0)
      throw new RangeError('The prompt must be a non-empty string');
    const bytes = Buffer.byteLength(prompt);
    if (bytes > s.maxPromptBytes)
      throw new RangeError(`The prompt is ${bytes} bytes, over maxPromptBytes ${s.maxPromptBytes}`);
    const [vector] = await s.embedder.embed([prompt]);
    return vector as Float32Array;
  }

  function keysOf(scope: Scope): ScopeKeys {
    return scopeKeys(base, scopeId(checkScope(scope, fields), fields));
  }

  async function lookup(keys: ScopeKeys, vector: Float32Array): Promise<CacheHit | CacheMiss> {
    const reply = (await one(
      command('VSIM', keys.vset, 'FP32', toFp32Blob(vector), 'WITHSCORES', 'COUNT', String(s.candidates)),
      'check',
    )) as string[];
    const near = parseVsimReply(reply ?? []);
    const above = near.filter((hit) => hit.score >= s.threshold);
    if (above.length === 0)
      return near.length ? { hit: false, bestSimilarity: near[0]?.score as number } : { hit: false };
    // A read only: an element whose answer is gone is skipped here and removed by the write paths' sweep.
    const answers = (await one(
      withKeys(
        'MGET',
        above.map((hit) => keys.answer(hit.id)),
        above.map((_, i) => i),
      ),
      'check',
    )) as (string | null)[];
    const found = answers.findIndex((value) => typeof value === 'string');
    if (found < 0) return { hit: false };
    const stored = JSON.parse(answers[found] as string) as Stored;
    return { hit: true, similarity: above[found]?.score as number, ...stored };
  }

  /** The scope's oldest expired entries, up to sweepBatch, picked and removed by one script (see EXPIRY_SWEEP). */
  async function sweepScope(keys: ScopeKeys): Promise<number> {
    const removed = await send(
      EXPIRY_SWEEP.run(client, [keys.vset, keys.expiry], [s.sweepBatch, keys.answer('')]),
      'sweep',
    );
    return Number(removed);
  }

  async function store(prompt: string, answer: string, options: StoreOptions): Promise<void> {
    await ready();
    const keys = keysOf(options.scope);
    await storeVector(keys, options, prompt, answer, await embed(prompt));
  }

  async function storeVector(
    keys: ScopeKeys,
    options: StoreOptions,
    prompt: string,
    answer: string,
    vector: Float32Array,
  ): Promise<void> {
    const ttlMs = options.ttlMs ?? s.ttlMs;
    if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new RangeError(`ttlMs must be a positive integer, got ${ttlMs}`);
    if (typeof answer !== 'string') throw new RangeError('The answer must be a string');
    const entry: Omit<Stored, 'storedAt'> = { prompt, answer, metadata: options.metadata ?? {} };
    const json = JSON.stringify({ ...entry, storedAt: Date.now() });
    const bytes = Buffer.byteLength(json);
    if (bytes > s.maxEntryBytes)
      throw new RangeError(`The entry is ${bytes} bytes as JSON, over maxEntryBytes ${s.maxEntryBytes}`);
    const id = entryId(prompt);
    const [present] = await send(
      Promise.all([
        BOOK.run(client, [keys.vset, keys.expiry, keys.answer(id)], [id, ttlMs, json]),
        client.hset(registry, keys.id, JSON.stringify(options.scope)),
      ]),
      'store',
    );
    if (Number(present) !== 1) {
      // The element last, as its own command: CAS does the neighbour search off the main thread. SETTLE_ELEMENT then
      // gives a set this VADD created at least the answer's TTL, or takes the element back if the answer went.
      await send(
        sendBatch(client, [command('VADD', keys.vset, 'FP32', toFp32Blob(vector), id, 'CAS', s.quantization)]).then(
          orThrow,
        ),
        'store',
      );
      await send(SETTLE_ELEMENT.run(client, [keys.vset, keys.answer(id), keys.expiry], [id, ttlMs]), 'store');
    }
    await sweepScope(keys);
  }

  async function dropScope(keys: ScopeKeys): Promise<number> {
    let removed = 0;
    for (;;) {
      const ids = (await one(command('ZRANGE', keys.expiry, '0', String(PAGE - 1)), 'invalidate')) as string[];
      if (ids.length === 0) break;
      const replies = orThrow(
        await send(
          sendBatch(client, [
            withKeys(
              'UNLINK',
              ids.map(keys.answer),
              ids.map((_, i) => i),
            ),
            command('ZREM', keys.expiry, ...ids),
          ]),
          'invalidate',
        ),
      );
      removed += Number(replies[0]);
    }
    await send(client.unlink(keys.vset, keys.expiry), 'invalidate');
    return removed;
  }

  /** Every registered scope, page by page (HSCAN, PAGE a round trip). */
  async function* scopes(): AsyncGenerator<[string, Scope]> {
    let cursor = '0';
    do {
      const [next, flat] = (await send(client.hscan(registry, cursor, 'COUNT', PAGE), 'scan scopes')) as [
        string,
        string[],
      ];
      cursor = next;
      for (let i = 0; i + 1 < flat.length; i += 2)
        yield [flat[i] as string, JSON.parse(flat[i + 1] as string) as Scope];
    } while (cursor !== '0');
  }

  return {
    threshold: s.threshold,
    async check(prompt, { scope }) {
      await ready();
      const keys = keysOf(scope);
      return lookup(keys, await embed(prompt));
    },
    store,
    async answer(prompt, options, load) {
      await ready();
      const keys = keysOf(options.scope);
      const vector = await embed(prompt);
      const joined = inFlight.find(keys.id, vector, s.threshold);
      if (joined) return { answer: await joined.result, source: 'shared', similarity: joined.similarity };
      const found = await lookup(keys, vector);
      if (found.hit) return { answer: found.answer, source: 'hit', similarity: found.similarity };
      // Looked again after the round trip: a near-identical miss may have started its call meanwhile.
      const late = inFlight.find(keys.id, vector, s.threshold);
      if (late) return { answer: await late.result, source: 'shared', similarity: late.similarity };
      const result = (async () => {
        const answer = await load();
        await storeVector(keys, options, prompt, answer, vector);
        return answer;
      })();
      inFlight.add(keys.id, vector, result);
      return { answer: await result, source: 'upstream' };
    },
    async invalidateEntry(prompt, { scope }) {
      await ready();
      const keys = keysOf(scope);
      const id = entryId(prompt);
      return (
        Number(await send(FORGET.run(client, [keys.vset, keys.expiry, keys.answer(id)], [id]), 'invalidate')) === 1
      );
    },
    async invalidate(where) {
      await ready();
      for (const field of Object.keys(where)) {
        if (!fields.includes(field)) throw new RangeError(`Scope field "${field}" is not one of ${fields.join(', ')}`);
      }
      const wanted = Object.entries(where);
      if (wanted.length === 0)
        throw new RangeError(
          'invalidate needs at least one scope field (it never empties the whole cache by accident)',
        );
      let removed = 0;
      for await (const [id, scope] of scopes()) {
        if (!wanted.every(([field, value]) => scope[field] === value)) continue;
        removed += await dropScope(scopeKeys(base, id));
        await send(client.hdel(registry, id), 'invalidate');
      }
      return removed;
    },
    async sweep() {
      await ready();
      let removed = 0;
      for await (const [id] of scopes()) removed += await sweepScope(scopeKeys(base, id));
      return removed;
    },
    async size({ scope }) {
      await ready();
      return Number(await one(command('VCARD', keysOf(scope).vset), 'size'));
    },
  };
}
