/**
 * The key audit's test fixtures, shared by its suite, tests and CLI tests: a keyspace seeded with known content
 * under a prefix, what the server itself says about it (MEMORY USAGE per key), the read-only ACL user's rules and
 * the JSON Schema validator (compiled once).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { RedisClient } from '@redis-agent-kit/patterns';
import { type Command, command, orThrow, sendBatch, withKeys } from '@redis-agent-kit/patterns/cluster';
import { Ajv2020 } from 'ajv/dist/2020.js';

export interface SeededKey {
  key: string;
  /** The prefix (all but the last segment) the audit files the key under. */
  prefix: string;
  type: string;
  hasTtl: boolean;
  /** The server's MEMORY USAGE … SAMPLES 0 after seeding. */
  bytes: number;
}

export interface Seeded {
  /** A SCAN MATCH pattern that finds these keys and nothing else. */
  match: string;
  keys: SeededKey[];
  hugeKey: string;
  bigStringKey: string;
  listKey: string;
  plainKey: string;
}

/** Elements in the seeded list; audit it with `largeCollectionLength` below this. */
export const LIST_LENGTH = 60;

/** `[name, key, ...args]`: the fixtures' commands, each on the key after its name. */
type KeyCommand = [name: string, key: string, ...args: string[]];

/** Runs the commands in one round trip per server, also on a cluster; throws the first error. */
async function run(client: RedisClient, commands: Command[]): Promise<unknown[]> {
  return orThrow(await sendBatch(client, commands));
}

/**
 * `<prefix>:cache:product:<i>` JSON strings with TTL, `<prefix>:cache:page:<i>` text without TTL, a 20 KB string
 * and a 150 KB string, a list, a hash, `<prefix>:profile:<id>:{name,email}` per-field keys with TTLs, and one key
 * outside any namespace (the prefix with `_` for every separator: it still names the check, so the matrix's sweep
 * on a shared server finds it; <tag>, the prefix's last segment, is in every key, so MATCH *<tag>* finds all).
 */
export async function seedKeyspace(client: RedisClient, prefix: string): Promise<Seeded> {
  const tag = prefix.split(':').at(-1) as string;
  const writes: Command[] = [];
  const spec: Omit<SeededKey, 'bytes'>[] = [];
  const add = (type: string, hasTtl: boolean, ...commands: KeyCommand[]) => {
    const key = commands[0]?.[1] as string;
    writes.push(...commands.map(([name, ...args]) => command(name, ...args)));
    spec.push({ key, type, hasTtl, prefix: key.includes(':') ? key.slice(0, key.lastIndexOf(':')) : '' });
    return key;
  };
  for (let i = 0; i < 30; i++) {
    const value = JSON.stringify({ id: i, name: `product ${i}`, price: i * 1.5 });
    add('string', true, ['SET', `${prefix}:cache:product:${i}`, value, 'EX', '600']);
  }
  for (let i = 0; i < 10; i++) add('string', false, ['SET', `${prefix}:cache:page:${i}`, `page ${i} `.repeat(20)]);
  const bigStringKey = add('string', false, ['SET', `${prefix}:blob:report:1`, 'r'.repeat(20 * 1024)]);
  const hugeKey = add('string', true, ['SET', `${prefix}:blob:export:1`, 'e'.repeat(150 * 1024), 'EX', '600']);
  const listKey = `${prefix}:queue:jobs`;
  add('list', false, ['RPUSH', listKey, ...Array.from({ length: LIST_LENGTH }, (_, i) => `job-${i}`)]);
  const hashKey = `${prefix}:user:1`;
  const fields = ['name', 'Ada', 'email', 'ada@example.com', 'plan', 'pro'];
  add('hash', true, ['HSET', hashKey, ...fields], ['EXPIRE', hashKey, '600']);
  for (let id = 0; id < 10; id++) {
    for (const field of ['name', 'email']) {
      add('string', true, ['SET', `${prefix}:profile:${id}:${field}`, `${field}-${id}`, 'EX', '600']);
    }
  }
  const plainKey = add('string', true, ['SET', prefix.replace(/\W/g, '_'), 'no namespace', 'EX', '600']);
  await run(client, writes);
  const sizes = await run(
    client,
    spec.map(({ key }) => withKeys('MEMORY', ['USAGE', key, 'SAMPLES', '0'], [1])),
  );
  const keys = spec.map((s, i) => ({ ...s, bytes: Number(sizes[i]) }));
  return { match: `*${tag}*`, keys, hugeKey, bigStringKey, listKey, plainKey };
}

export async function dropKeyspace(client: RedisClient, seeded: Seeded): Promise<void> {
  await run(
    client,
    seeded.keys.map(({ key }) => command('UNLINK', key)),
  );
}

/** Sums of the seeded keys by every prefix they fall under (to `depth` segments). */
export function expectedByPrefix(keys: SeededKey[], depth: number): Map<string, { keys: number; bytes: number }> {
  const out = new Map<string, { keys: number; bytes: number }>();
  for (const key of keys) {
    const segments = key.key.split(':').slice(0, -1).slice(0, depth);
    for (let i = 1; i <= segments.length; i++) {
      const prefix = segments.slice(0, i).join(':');
      const entry = out.get(prefix) ?? { keys: 0, bytes: 0 };
      entry.keys++;
      entry.bytes += key.bytes;
      out.set(prefix, entry);
    }
  }
  return out;
}

/**
 * The widely copied read-only ACL rules (after `on >password`): `+info` before `-@dangerous`
 * leaves INFO denied and EVAL is never granted, so the audit identifies the server with HELLO and pipelines.
 */
export const READER_ACL = ['~*', '+@read', '+@connection', '+info', '+dbsize', '-@admin', '-@write', '-@dangerous'];

function compileSchema(): (document: unknown) => string | undefined {
  const ajv = new Ajv2020({
    allErrors: true,
    formats: { 'date-time': (text: string) => !Number.isNaN(Date.parse(text)) },
  });
  const schemaPath = createRequire(import.meta.url).resolve('@redis-agent-kit/patterns/key-audit-schema.json');
  const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
  return (document) => (validate(document) ? undefined : ajv.errorsText(validate.errors));
}

let validator: ReturnType<typeof compileSchema> | undefined;

/** Validates a `redis-key-audit --format json` document; returns Ajv's error text, or undefined when valid. */
export function schemaErrors(document: unknown): string | undefined {
  validator ??= compileSchema();
  return validator(document);
}

export interface OddName {
  bytes: Buffer;
  /** The server's MEMORY USAGE … SAMPLES 0 after seeding. */
  memory: number;
}

export interface SeededOddNames {
  /** A SCAN MATCH pattern that finds these keys and nothing else. */
  match: string;
  keys: OddName[];
  /** The name that is not UTF-8 and holds a 50 KB value: a big key. */
  bigBinary: Buffer;
  /** Names with a newline and an ANSI escape sequence, each holding 12 KB: big keys, so the text lists them. */
  controlNames: Buffer[];
}

/**
 * Names that are not UTF-8 (`\xff\xfe`, and `coll:\xff` beside `coll:` + U+FFFD, which a lossy decode makes one
 * name), names with control characters, and one with a leading separator, spread over the slots of a cluster.
 */
export async function seedOddNames(client: RedisClient, prefix: string): Promise<SeededOddNames> {
  const tag = `rakodd${prefix.split(':').at(-1) as string}`;
  const name = (...parts: (string | number[])[]) =>
    Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))));
  const bigBinary = name(`${tag}:big:`, [0xff, 0xfe]);
  const controlNames = [name(`${tag}:ctl:\n:1`), name(`${tag}:ctl:\x1b[31mred`)];
  const values = new Map<Buffer, string>([
    [name(`${tag}:bin:`, [0xff, 0xfe, 0x01]), 'x'],
    [name(`${tag}:coll:`, [0xff]), 'a'],
    [name(`${tag}:coll:\ufffd`), 'b'],
    [bigBinary, 'b'.repeat(50 * 1024)],
    ...controlNames.map((key): [Buffer, string] => [key, 'c'.repeat(12 * 1024)]),
    [name(`:${tag}:lead:1`), 'l'],
    [name(`${tag}:plain:1`), 'p'],
  ]);
  const keys = [...values.keys()];
  await run(
    client,
    keys.map((key) => command('SET', key, values.get(key) as string)),
  );
  const sizes = await run(
    client,
    keys.map((key) => withKeys('MEMORY', ['USAGE', key, 'SAMPLES', '0'], [1])),
  );
  return {
    match: `*${tag}*`,
    keys: keys.map((bytes, i) => ({ bytes, memory: Number(sizes[i]) })),
    bigBinary,
    controlNames,
  };
}

export async function dropOddNames(client: RedisClient, seeded: SeededOddNames): Promise<void> {
  await run(
    client,
    seeded.keys.map(({ bytes }) => command('UNLINK', bytes)),
  );
}
