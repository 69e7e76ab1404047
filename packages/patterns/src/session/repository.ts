/**
 * Sessions an application or an agent reads and writes itself (not through express-session): a record of JSON
 * fields at `<prefix><id>`, always with a TTL, since a session is never permanent.
 *
 * Two storage formats, the same API: `json`, one document `{id, createdAt, updatedAt?, data}` (needs JSON.*; pick
 * with `chooseSessionFormat(capabilities)`), and `hash`, any server: one hash field per top-level data field
 * holding its JSON, and the metadata as JSON under the reserved field `_meta`. An update runs as one script that
 * first checks the session still exists, so an expired session is never recreated without a TTL, and that keeps the
 * TTL it has. Merging differs where the formats do: `json` merges with JSON.MERGE (RFC 7396: nested objects merge,
 * a null removes a member), `hash` replaces each top-level field given.
 *
 * Bounds: an id is 1 to 256 bytes; each create or update writes at most `maxValueBytes` of data (its JSON). A
 * session grown by many merges is not capped as a whole; `get` returns all of it.
 */
import { randomUUID } from 'node:crypto';
import type { Capabilities } from '../capabilities.ts';
import { command, sendTransaction } from '../cluster/batch.ts';
import type { RedisClient } from '../connection.ts';
import { LuaScript } from '../lua-script.ts';

export type SessionFormat = 'json' | 'hash';

/** A session's data: JSON values by name. */
export type SessionFields = Record<string, unknown>;

export interface SessionRepositoryOptions {
  /** A session lives at `<prefix><id>`, e.g. `mcp:session:`. */
  prefix: string;
  /** How a session is stored; see `chooseSessionFormat`. Sessions written in one format are not read in the other. */
  format?: SessionFormat;
  /** The largest data (as JSON, in UTF-8 bytes) one create or update may write. */
  maxValueBytes?: number;
}

export const SESSION_REPOSITORY_DEFAULTS = {
  format: 'hash',
  maxValueBytes: 100 * 1024,
} as const satisfies Omit<Required<SessionRepositoryOptions>, 'prefix'>;

export interface StoredSession {
  id: string;
  /** ISO 8601, by the writer's clock. */
  createdAt: string;
  updatedAt?: string;
  data: SessionFields;
  /** Seconds left; -1 when the key has no expiry (set outside this API). */
  ttlSeconds: number;
}

export interface SessionRepository {
  readonly format: SessionFormat;
  /** The Redis key of a session. */
  key(id: string): string;
  /** A new session with a random id (a UUID) living `ttlSeconds`. */
  create(data: SessionFields, ttlSeconds: number): Promise<StoredSession>;
  /** The session and its TTL, read together; null when there is none. */
  get(id: string): Promise<StoredSession | null>;
  /** Merges `data` into the session's data (or replaces it with `replace`); the seconds left, or null when there is no such session. */
  update(id: string, data: SessionFields, options?: { replace?: boolean }): Promise<number | null>;
  /** Gives the session `ttlSeconds` to live from now; false when there is no such session. */
  touch(id: string, ttlSeconds: number): Promise<boolean>;
  /** Deletes the session; false when there was none. */
  destroy(id: string): Promise<boolean>;
}

/** `json` where the server has JSON.*, else `hash`. */
export function chooseSessionFormat(capabilities: Pick<Capabilities, 'json'>): SessionFormat {
  return capabilities.json ? 'json' : 'hash';
}

/** The hash field holding a session's metadata; data may not use the name (in either format, so code moves freely). */
const META = '_meta';
const MAX_ID_BYTES = 256;
/** What the update scripts answer for a session that does not exist (as TTL does for a missing key). */
const MISSING = -2;

/** ARGV: replace ('1' or '0'), updatedAt, then field name and JSON value pairs. Returns the TTL, or -2. */
const UPDATE_HASH = new LuaScript(`local raw = redis.call('HGET', KEYS[1], '${META}')
if not raw then return ${MISSING} end
local meta = cjson.decode(raw)
meta.updatedAt = ARGV[2]
if ARGV[1] == '1' then
  for _, name in ipairs(redis.call('HKEYS', KEYS[1])) do
    if name ~= '${META}' then redis.call('HDEL', KEYS[1], name) end
  end
end
redis.call('HSET', KEYS[1], '${META}', cjson.encode(meta))
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return redis.call('TTL', KEYS[1])`);

/** ARGV: replace ('1' or '0'), updatedAt, the data as JSON. Returns the TTL, or -2. */
const UPDATE_JSON = new LuaScript(`if redis.call('EXISTS', KEYS[1]) == 0 then return ${MISSING} end
if ARGV[1] == '1' then redis.call('JSON.SET', KEYS[1], '$.data', ARGV[3])
else redis.call('JSON.MERGE', KEYS[1], '$.data', ARGV[3]) end
redis.call('JSON.SET', KEYS[1], '$.updatedAt', cjson.encode(ARGV[2]))
return redis.call('TTL', KEYS[1])`);

export function createSessionRepository(client: RedisClient, options: SessionRepositoryOptions): SessionRepository {
  const { prefix } = options;
  const format = options.format ?? SESSION_REPOSITORY_DEFAULTS.format;
  const maxValueBytes = options.maxValueBytes ?? SESSION_REPOSITORY_DEFAULTS.maxValueBytes;
  const key = (id: string) => prefix + checkId(id);
  /** The data as JSON, refused when it is not an object, uses `_meta`, or is over the size limit. */
  const checkedJson = (data: SessionFields): string => {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new TypeError('session data must be an object of named JSON values');
    }
    if (Object.hasOwn(data, META)) throw new RangeError(`session data may not have a field named ${META} (reserved)`);
    const json = JSON.stringify(data);
    const bytes = Buffer.byteLength(json);
    if (bytes > maxValueBytes) {
      throw new RangeError(
        `session data of ${bytes} bytes is over the ${maxValueBytes}-byte limit (maxValueBytes); keep large data elsewhere and store a reference`,
      );
    }
    return json;
  };

  return {
    format,
    key,

    async create(data, ttlSeconds) {
      checkTtl(ttlSeconds);
      const json = checkedJson(data);
      const id = randomUUID();
      const createdAt = new Date().toISOString();
      const k = key(id);
      const write =
        format === 'json'
          ? command('JSON.SET', k, '$', `{"id":${JSON.stringify(id)},"createdAt":"${createdAt}","data":${json}}`)
          : command('HSET', k, META, JSON.stringify({ id, createdAt }), ...hashFields(data));
      // One MULTI with the EXPIRE: there is never a moment the session exists without its TTL.
      await sendTransaction(client, [write, command('EXPIRE', k, ttlSeconds)]);
      return { id, createdAt, data, ttlSeconds };
    },

    async get(id) {
      const k = key(id);
      const read = format === 'json' ? command('JSON.GET', k, '$') : command('HGETALL', k);
      const [stored, ttl] = await sendTransaction(client, [read, command('TTL', k)]);
      const session = format === 'json' ? fromDocument(stored) : fromHash(id, stored as string[]);
      return session && { ...session, ttlSeconds: ttl as number };
    },

    async update(id, data, { replace = false } = {}) {
      const k = key(id);
      const json = checkedJson(data);
      const head = [replace ? '1' : '0', new Date().toISOString()];
      const ttl = (
        format === 'json'
          ? await UPDATE_JSON.run(client, [k], [...head, json])
          : await UPDATE_HASH.run(client, [k], [...head, ...hashFields(data)])
      ) as number;
      return ttl === MISSING ? null : ttl;
    },

    async touch(id, ttlSeconds) {
      checkTtl(ttlSeconds);
      return (await client.expire(key(id), ttlSeconds)) === 1;
    },

    async destroy(id) {
      return (await client.unlink(key(id))) === 1;
    },
  };
}

function checkId(id: string): string {
  const bytes = typeof id === 'string' ? Buffer.byteLength(id) : 0;
  if (bytes < 1 || bytes > MAX_ID_BYTES) throw new RangeError(`a session id is 1 to ${MAX_ID_BYTES} bytes`);
  return id;
}

/** EXPIRE with 0 or less would delete the session: a TTL is a positive whole number of seconds. */
function checkTtl(ttlSeconds: number): void {
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1) {
    throw new RangeError(`a session needs a TTL of at least 1 second, got ${ttlSeconds}`);
  }
}

/** `[name, json, name, json, …]`; fields JSON cannot hold (undefined, functions) are left out, as JSON.stringify does. */
function hashFields(data: SessionFields): string[] {
  return Object.entries(data).flatMap(([name, value]) => {
    const json = JSON.stringify(value) as string | undefined;
    return json === undefined ? [] : [name, json];
  });
}

type SessionRecord = Omit<StoredSession, 'ttlSeconds'>;

/** JSON.GET … `$` answers a JSON array holding the document, or nil. */
function fromDocument(reply: unknown): SessionRecord | null {
  if (reply === null) return null;
  return (JSON.parse(String(reply)) as SessionRecord[])[0] ?? null;
}

/** HGETALL's `[name, value, name, value, …]`; a hash without `_meta` is not a session. */
function fromHash(id: string, flat: readonly string[]): SessionRecord | null {
  const metaAt = flat.findIndex((name, i) => i % 2 === 0 && name === META);
  if (metaAt < 0) return null;
  const data: SessionFields = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    if (i === metaAt) continue;
    const name = flat[i] as string;
    let value: unknown;
    try {
      value = JSON.parse(flat[i + 1] as string);
    } catch {
      throw new Error(
        `session ${id}: field ${JSON.stringify(name)} does not hold JSON (was it written outside this API?)`,
      );
    }
    // defineProperty, not assignment: a field named __proto__ is data, not this object's prototype.
    Object.defineProperty(data, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return { ...(JSON.parse(flat[metaAt + 1] as string) as Omit<SessionRecord, 'data'>), data };
}
