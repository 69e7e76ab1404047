/**
 * The differential test of the cutover store against connect-redis: the same call sequence, callback and promise
 * forms, run against connect-redis' `RedisStore` and against a `CutoverStore` (over its own `RedisStore`, with an
 * empty legacy table) on the same server, each under its own prefix; results are compared as JSON, TTLs as read
 * back with PTTL within a tolerance (both derive them from the same cookie expiry, rounded up to whole seconds
 * by connect-redis, at slightly different moments).
 *
 * Deliberate differences, each asserted as such (the cutover store's behaviour is what express-session can use):
 * - a value express-session cannot load (invalid JSON, a JSON string or array) reads as no session; connect-redis
 *   answers an error for invalid JSON and hands the string or array to express-session;
 * - `all()` skips such a value; connect-redis fails on the `"null"` value (`sess.id = …` on null);
 * - on a cluster, `all()` and `clear()` work: connect-redis sends one MGET and one DEL across slots (CROSSSLOT).
 */
import type { RedisClient } from '@redis-agent-kit/patterns';
import type { Store } from 'express-session';
import type { SessionData } from 'express-session';

type AnyStore = Store & {
  touch(sid: string, session: unknown, callback?: (error?: unknown) => void): unknown;
  length(callback?: (error: unknown, length?: number) => void): unknown;
  ids(callback?: (error: unknown, ids?: string[]) => void): unknown;
  all(callback?: (error: unknown, sessions?: unknown[]) => void): unknown;
  clear(callback?: (error?: unknown) => void): unknown;
};

export interface DifferentialContext {
  store: AnyStore;
  prefix: string;
  redis: RedisClient;
  /** The step's clock, the same for both stores, so the sessions they are given are the same. */
  now: number;
}

/** A session whose cookie expires `seconds` after the step's clock (before it when negative). */
function session(now: number, seconds: number, extra: Record<string, unknown> = {}): SessionData {
  return {
    cookie: { originalMaxAge: seconds * 1000, expires: new Date(now + seconds * 1000), httpOnly: true, path: '/' },
    ...extra,
  } as unknown as SessionData;
}

export interface Step {
  name: string;
  run(ctx: DifferentialContext): Promise<unknown>;
  /** Compare this key's PTTL (not the result) after the step. */
  ttlOf?: string;
}

/** Calls `method` with a callback and settles with what the callback got (an error as `{ error }`). */
function viaCallback(call: (callback: (error?: unknown, result?: unknown) => void) => unknown): Promise<unknown> {
  return new Promise((resolve) => {
    call((error, result) => resolve(error ? { error: true } : (result ?? null)));
  });
}

/** Awaits the promise form; an error becomes `{ error }`. */
async function viaPromise(call: () => unknown): Promise<unknown> {
  try {
    return (await call()) ?? null;
  } catch {
    return { error: true };
  }
}

const sorted = (value: unknown) =>
  Array.isArray(value) ? [...value].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : value;

/** The sequence: steps over get, set, touch, destroy, length, ids, all, clear and values only Redis could hold. */
export const STEPS: Step[] = [
  { name: 'get a missing session (callback)', run: ({ store }) => viaCallback((cb) => store.get('s1', cb)) },
  {
    name: 'get a missing session (promise)',
    run: ({ store }) => viaPromise(() => store.get('s1', undefined as never)),
  },
  {
    name: 'set with a cookie expiring in 60 s (callback)',
    run: ({ store, now }) => viaCallback((cb) => store.set('s1', session(now, 60, { user: 'ada' }), cb)),
  },
  { name: 'its TTL', run: async () => null, ttlOf: 's1' },
  { name: 'get it (promise)', run: ({ store }) => viaPromise(() => store.get('s1', undefined as never)) },
  { name: 'get it (callback)', run: ({ store }) => viaCallback((cb) => store.get('s1', cb)) },
  {
    name: 'set without a cookie expiry: the default TTL (promise)',
    run: ({ store }) =>
      viaPromise(() => store.set('s2', { cookie: { originalMaxAge: null }, user: 'bob' } as never, undefined)),
  },
  { name: 'the default TTL', run: async () => null, ttlOf: 's2' },
  {
    name: 'touch with a cookie expiring in 120 s (callback)',
    run: ({ store, now }) => viaCallback((cb) => store.touch('s1', session(now, 120), cb)),
  },
  { name: 'the touched TTL', run: async () => null, ttlOf: 's1' },
  {
    name: 'touch (promise)',
    run: ({ store, now }) => viaPromise(() => store.touch('s1', session(now, 90), undefined)),
  },
  { name: 'the TTL after the promise touch', run: async () => null, ttlOf: 's1' },
  { name: 'length (callback)', run: ({ store }) => viaCallback((cb) => store.length(cb)) },
  { name: 'length (promise)', run: ({ store }) => viaPromise(() => store.length()) },
  { name: 'ids (callback)', run: async ({ store }) => sorted(await viaCallback((cb) => store.ids(cb))) },
  { name: 'ids (promise)', run: async ({ store }) => sorted(await viaPromise(() => store.ids())) },
  { name: 'all (callback)', run: async ({ store }) => sorted(await viaCallback((cb) => store.all(cb))) },
  { name: 'all (promise)', run: async ({ store }) => sorted(await viaPromise(() => store.all())) },
  {
    name: 'set with an expired cookie deletes the session (promise)',
    run: ({ store, now }) => viaPromise(() => store.set('s1', session(now, -5), undefined)),
  },
  { name: 'get after the expired save', run: ({ store }) => viaCallback((cb) => store.get('s1', cb)) },
  { name: 'destroy (promise)', run: ({ store }) => viaPromise(() => store.destroy('s2', undefined)) },
  { name: 'get after destroy', run: ({ store }) => viaPromise(() => store.get('s2', undefined as never)) },
  { name: 'destroy a missing session (callback)', run: ({ store }) => viaCallback((cb) => store.destroy('nope', cb)) },
  {
    name: 'get an empty string value',
    run: async ({ store, prefix, redis }) => {
      await redis.set(`${prefix}e1`, '', 'EX', 60);
      return viaPromise(() => store.get('e1', undefined as never));
    },
  },
  {
    name: 'get a "null" value',
    run: async ({ store, prefix, redis }) => {
      await redis.set(`${prefix}e2`, 'null', 'EX', 60);
      return viaCallback((cb) => store.get('e2', cb));
    },
  },
  {
    name: 'get a value that is not JSON',
    run: async ({ store, prefix, redis }) => {
      await redis.set(`${prefix}e3`, '{"cookie":', 'EX', 60);
      return viaPromise(() => store.get('e3', undefined as never));
    },
  },
  {
    name: 'get a JSON string value',
    run: async ({ store, prefix, redis }) => {
      await redis.set(`${prefix}e4`, '"text"', 'EX', 60);
      return viaPromise(() => store.get('e4', undefined as never));
    },
  },
  {
    name: 'get a key of the wrong type (promise rejects)',
    run: async ({ store, prefix, redis }) => {
      await redis.hset(`${prefix}e5`, 'f', 'v');
      await redis.expire(`${prefix}e5`, 60);
      return viaPromise(() => store.get('e5', undefined as never));
    },
  },
  {
    name: 'all with a "null" value present',
    run: async ({ store, prefix, redis }) => {
      for (const sid of ['e1', 'e3', 'e4', 'e5']) await redis.unlink(prefix + sid);
      return sorted(await viaPromise(() => store.all()));
    },
  },
  {
    name: 'clear with several sessions (callback)',
    run: async ({ store, now }) => {
      for (const sid of ['s4', 's5', 's6']) await viaPromise(() => store.set(sid, session(now, 60), undefined));
      return viaCallback((cb) => store.clear(cb));
    },
  },
  { name: 'length after clear', run: ({ store }) => viaPromise(() => store.length()) },
  {
    name: 'set then clear (promise)',
    run: async ({ store, now }) => {
      await viaPromise(() => store.set('s3', session(now, 60), undefined));
      return viaPromise(() => store.clear());
    },
  },
  { name: 'ids after clear', run: ({ store }) => viaPromise(() => store.ids()) },
];

/** Session ids of an `all()` result, sorted (an error stays an error). */
function idsOf(result: unknown): unknown {
  return Array.isArray(result) ? result.map((session) => (session as { id: string }).id).sort() : result;
}

/** A deliberate difference: the step, when it applies, and what the cutover store answers instead. */
export interface Deliberate {
  step: string;
  why: string;
  /** Only on a cluster. */
  cluster?: true;
  /** The cutover store's result, as compared (for `all`: the ids). */
  cutover: unknown;
  compare?: (result: unknown) => unknown;
  /** Sessions to delete from connect-redis' side after the step, so the two stores hold the same again. */
  align?: string[];
}

export const DELIBERATE: Deliberate[] = [
  { step: 'get a value that is not JSON', why: 'read as no session, not an error', cutover: null },
  { step: 'get a JSON string value', why: 'read as no session, not a string', cutover: null },
  {
    step: 'all with a "null" value present',
    why: 'skips the value; connect-redis fails on it',
    cutover: [],
    compare: idsOf,
  },
  {
    step: 'all (callback)',
    why: 'one GET per key, no MGET across slots',
    cluster: true,
    cutover: ['s1', 's2'],
    compare: idsOf,
  },
  {
    step: 'all (promise)',
    why: 'one GET per key, no MGET across slots',
    cluster: true,
    cutover: ['s1', 's2'],
    compare: idsOf,
  },
  {
    step: 'clear with several sessions (callback)',
    why: 'one DEL per key, no DEL across slots',
    cluster: true,
    cutover: null,
    align: ['e2', 's4', 's5', 's6'],
  },
];
