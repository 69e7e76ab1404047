/**
 * How an entry is written to and read from Redis, chosen by what the server can do:
 * - `json`: a JSON document (`JSON.SET`/`JSON.GET`), so other tools can read fields in place
 *   (`JSON.GET cache:product:42 $.v.price`); needs the JSON capability (Redis 8 builds with it, redis:8.6-alpine).
 * - `string envelope`: the same document serialised into a string with `SET … PX`, for servers without JSON
 *   (Debian's Redis 8.0, Valkey 8.1). One command writes value and TTL together, so no key is ever left without one.
 *
 * Codecs only build commands and parse replies, so both are unit-testable without a server.
 */
import type { Capabilities } from '../capabilities.ts';
import { type Command, command } from '../cluster/batch.ts';
import { type CacheEntry, fromStored, toStored } from './entry.ts';

export type CacheCodecName = 'json' | 'string envelope';

export interface CacheCodec {
  readonly name: CacheCodecName;
  /** The serialised entry; its byte length is what the size limit checks. */
  encode(entry: CacheEntry): string;
  /** Commands that store `payload` under `key` with a TTL of `ttlMs`, run in one MULTI when more than one. */
  writeCommands(key: string, payload: string, ttlMs: number): Command[];
  readCommand(key: string): Command;
  /** The entry from the read command's reply; undefined for a missing key or one this cache did not write. */
  decode(reply: unknown): CacheEntry | undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function encode(entry: CacheEntry): string {
  return JSON.stringify(toStored(entry));
}

export const jsonCodec: CacheCodec = {
  name: 'json',
  encode,
  writeCommands: (key, payload, ttlMs) => [
    // A key left by the string-envelope codec (before the server gained JSON) would make JSON.SET fail with
    // WRONGTYPE; the MULTI replaces it atomically. Writes happen only on misses, so the extra UNLINK is cheap.
    command('UNLINK', key),
    command('JSON.SET', key, '$', payload),
    command('PEXPIRE', key, String(ttlMs)),
  ],
  readCommand: (key) => command('JSON.GET', key, '$'),
  // With a `$` path the reply is a JSON array of the matches: `[{"v":…,"d":…,"e":…}]`, or nil for a missing key.
  decode(reply) {
    if (reply === null || reply === undefined) return undefined;
    const matches = parseJson(String(reply));
    return Array.isArray(matches) ? fromStored(matches[0]) : undefined;
  },
};

export const stringEnvelopeCodec: CacheCodec = {
  name: 'string envelope',
  encode,
  writeCommands: (key, payload, ttlMs) => [command('SET', key, payload, 'PX', String(ttlMs))],
  readCommand: (key) => command('GET', key),
  decode(reply) {
    if (reply === null || reply === undefined) return undefined;
    return fromStored(parseJson(String(reply)));
  },
};

/** JSON documents where the server has JSON, else the string envelope. */
export function chooseCodec(capabilities: Pick<Capabilities, 'json'>): CacheCodec {
  return capabilities.json ? jsonCodec : stringEnvelopeCodec;
}

/** The codec of a name (the `codec` option); a RangeError for any other name. */
export function codecNamed(name: CacheCodecName): CacheCodec {
  const codec = [jsonCodec, stringEnvelopeCodec].find((candidate) => candidate.name === name);
  if (!codec) throw new RangeError(`cache option codec must be 'json' or 'string envelope', got ${String(name)}`);
  return codec;
}
