/**
 * The key audit's test fixtures, shared by its suite, tests and CLI tests: a keyspace seeded with known content
 * under a prefix, what the server itself says about it (MEMORY USAGE per key), and the JSON Schema validator.
 */
import { createRequire } from 'node:module';
import type { RedisClient } from '@redis-agent-kit/patterns';
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

/**
 * `<prefix>:cache:product:<i>` JSON strings with TTL, `<prefix>:cache:page:<i>` text without TTL, a 20 KB string
 * and a 150 KB string, a list, a hash, `<prefix>:profile:<id>:{name,email}` per-field keys with TTLs, and one key
 * outside any namespace (`rakaudit<tag>`, where <tag> is the prefix's last segment, so MATCH *<tag>* finds all).
 */
export async function seedKeyspace(client: RedisClient, prefix: string): Promise<Seeded> {
  const tag = prefix.split(':').at(-1) as string;
  // Separate commands sent together rather than a pipeline: on a cluster the keys live in different slots.
  const writes: Promise<unknown>[] = [];
  const p = {
    set: (key: string, value: string, ttl?: 'EX', seconds?: number) =>
      writes.push(ttl && seconds ? client.set(key, value, ttl, seconds) : client.set(key, value)),
    rpush: (key: string, ...values: string[]) => writes.push(client.rpush(key, ...values)),
    hset: (key: string, fields: Record<string, string>) => writes.push(client.hset(key, fields)),
    expire: (key: string, seconds: number) => writes.push(client.expire(key, seconds)),
  };
  const spec: Omit<SeededKey, 'bytes'>[] = [];
  const add = (key: string, type: string, hasTtl: boolean) =>
    spec.push({ key, type, hasTtl, prefix: key.includes(':') ? key.slice(0, key.lastIndexOf(':')) : '' });
  for (let i = 0; i < 30; i++) {
    const key = `${prefix}:cache:product:${i}`;
    p.set(key, JSON.stringify({ id: i, name: `product ${i}`, price: i * 1.5 }), 'EX', 600);
    add(key, 'string', true);
  }
  for (let i = 0; i < 10; i++) {
    const key = `${prefix}:cache:page:${i}`;
    p.set(key, `page ${i} `.repeat(20));
    add(key, 'string', false);
  }
  const bigStringKey = `${prefix}:blob:report:1`;
  p.set(bigStringKey, 'r'.repeat(20 * 1024));
  add(bigStringKey, 'string', false);
  const hugeKey = `${prefix}:blob:export:1`;
  p.set(hugeKey, 'e'.repeat(150 * 1024), 'EX', 600);
  add(hugeKey, 'string', true);
  const listKey = `${prefix}:queue:jobs`;
  p.rpush(listKey, ...Array.from({ length: LIST_LENGTH }, (_, i) => `job-${i}`));
  add(listKey, 'list', false);
  const hashKey = `${prefix}:user:1`;
  p.hset(hashKey, { name: 'Ada', email: 'ada@example.com', plan: 'pro' });
  p.expire(hashKey, 600);
  add(hashKey, 'hash', true);
  for (let id = 0; id < 10; id++) {
    for (const field of ['name', 'email']) {
      const key = `${prefix}:profile:${id}:${field}`;
      p.set(key, `${field}-${id}`, 'EX', 600);
      add(key, 'string', true);
    }
  }
  const plainKey = `rakaudit${tag}`;
  p.set(plainKey, 'no namespace', 'EX', 600);
  add(plainKey, 'string', true);
  await Promise.all(writes);
  const sizes = await Promise.all(spec.map(({ key }) => client.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')));
  const keys = spec.map((s, i) => ({ ...s, bytes: Number(sizes[i]) }));
  return { match: `*${tag}*`, keys, hugeKey, bigStringKey, listKey, plainKey };
}

export async function dropKeyspace(client: RedisClient, seeded: Seeded): Promise<void> {
  await Promise.all(seeded.keys.map(({ key }) => client.unlink(key)));
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

const schemaPath = createRequire(import.meta.url).resolve('@redis-agent-kit/patterns/key-audit-schema.json');

/** Validates a `redis-key-audit --format json` document; returns Ajv's error text, or undefined when valid. */
export async function schemaErrors(document: unknown): Promise<string | undefined> {
  const { readFile } = await import('node:fs/promises');
  const ajv = new Ajv2020({
    allErrors: true,
    formats: { 'date-time': (text: string) => !Number.isNaN(Date.parse(text)) },
  });
  const validate = ajv.compile(JSON.parse(await readFile(schemaPath, 'utf8')));
  return validate(document) ? undefined : ajv.errorsText(validate.errors);
}
