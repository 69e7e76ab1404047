/**
 * Keys, names and values are bytes. On the way in, a call's strings are UTF-8 text, or base64 when the call says
 * `encoding: "base64"`; a string that is not well-formed UTF-16 (a lone surrogate, which UTF-8 encoding would turn
 * into U+FFFD, so `\ud800` and `\udfff` would name the same key) is refused, never altered. On the way out, tools
 * return Buffers; an answer whose bytes are all valid UTF-8 carries them as text, otherwise every byte string in it
 * is base64 and the answer says `encoding: "base64"`. No byte is ever decoded lossily, and no two keys alias.
 */
import { isUtf8 } from 'node:buffer';
import { z } from 'zod';
import type { Limits } from './config.ts';
import { PolicyError } from './guard.ts';

export const ENCODINGS = ['base64'] as const;
export type Encoding = (typeof ENCODINGS)[number];

/**
 * The `encoding` argument of the byte tools, and the field of their answers. Its enum says it all; what it covers is
 * said once in the server instructions rather than in every tool.
 */
export const encodingArg = z.enum(ENCODINGS).optional();

/** Hash fields or stream entry fields: byte names (and values) that become one object once the answer's encoding is known. */
export class ByteRecord {
  readonly entries: readonly (readonly [Buffer, Buffer | number | null])[];

  constructor(entries: readonly (readonly [Buffer, Buffer | number | null])[]) {
    this.entries = entries;
  }

  /** From a flat `[field, value, field, value, …]` Buffer reply. */
  static fromFlat(flat: readonly Buffer[]): ByteRecord {
    const entries: [Buffer, Buffer][] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) entries.push([flat[i] as Buffer, flat[i + 1] as Buffer]);
    return new ByteRecord(entries);
  }
}

/** Decodes a call's strings to bytes under its encoding, and bounds them. */
export class BytesIn {
  private readonly encoding: Encoding | undefined;
  private readonly limits: Pick<Limits, 'maxNameBytes'>;

  constructor(encoding: Encoding | undefined, limits: Pick<Limits, 'maxNameBytes'>) {
    this.encoding = encoding;
    this.limits = limits;
  }

  /** A key, field or other name: at most `--max-name-bytes`. */
  name(text: string, what = 'name'): Buffer {
    const bytes = this.bytes(text, what);
    if (bytes.length > this.limits.maxNameBytes) {
      throw new PolicyError(
        `${what} of ${bytes.length} bytes exceeds the ${this.limits.maxNameBytes}-byte limit for names (--max-name-bytes); use shorter names`,
      );
    }
    return bytes;
  }

  names(texts: readonly string[], what = 'name'): Buffer[] {
    return texts.map((text) => this.name(text, what));
  }

  /** A value: its size is checked per write with `assertValueSize`. */
  value(text: string, what = 'value'): Buffer {
    return this.bytes(text, what);
  }

  values(texts: readonly string[], what = 'value'): Buffer[] {
    return texts.map((text) => this.value(text, what));
  }

  private bytes(text: string, what: string): Buffer {
    if (this.encoding === 'base64') {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
        throw new PolicyError(`${what} is not base64 (encoding: "base64" applies to every key and value of the call)`);
      }
      return Buffer.from(text, 'base64');
    }
    return utf8(text, what);
  }
}

/** A UTF-16 surrogate not paired with its other half (with the `u` flag, a pair is one code point and no match). */
const LONE_SURROGATE = /\p{Cs}/u;

/** Whether text has UTF-8 bytes: no lone surrogate. */
export function wellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** UTF-8 bytes of well-formed text; a lone surrogate is refused (it would be stored as U+FFFD). */
export function utf8(text: string, what = 'string'): Buffer {
  if (!wellFormed(text)) {
    throw new PolicyError(
      `${what} holds a lone UTF-16 surrogate, which has no UTF-8 bytes; send the bytes as base64 with encoding: "base64"`,
    );
  }
  return Buffer.from(text, 'utf8');
}

/** Every Buffer reachable in an answer (ByteRecord entries included). */
function buffersIn(value: unknown, out: Buffer[]): Buffer[] {
  if (Buffer.isBuffer(value)) out.push(value);
  else if (value instanceof ByteRecord)
    for (const [field, v] of value.entries) out.push(field, ...(Buffer.isBuffer(v) ? [v] : []));
  else if (Array.isArray(value)) for (const item of value) buffersIn(item, out);
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) buffersIn(item, out);
  return out;
}

function convert(value: unknown, text: (bytes: Buffer) => string): unknown {
  if (Buffer.isBuffer(value)) return text(value);
  if (value instanceof ByteRecord) {
    return Object.fromEntries(value.entries.map(([field, v]) => [text(field), Buffer.isBuffer(v) ? text(v) : v]));
  }
  if (Array.isArray(value)) return value.map((item) => convert(item, text));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, convert(item, text)]));
  }
  return value;
}

/** The answer as JSON values: text when every byte string is UTF-8, else all base64 with `encoding: "base64"`. */
export function encodeAnswer(result: Record<string, unknown>): Record<string, unknown> {
  const buffers = buffersIn(result, []);
  if (buffers.every((bytes) => isUtf8(bytes)))
    return convert(result, (bytes) => bytes.toString('utf8')) as Record<string, unknown>;
  return { ...(convert(result, (bytes) => bytes.toString('base64')) as Record<string, unknown>), encoding: 'base64' };
}

/** The size in bytes of one byte string once encoded in an answer (JSON string escapes included). */
export function encodedSize(bytes: Buffer): number {
  return isUtf8(bytes)
    ? Buffer.byteLength(JSON.stringify(bytes.toString('utf8')))
    : Math.ceil(bytes.length / 3) * 4 + 2;
}

/**
 * The longest prefix of `bytes` whose encoded size is at most `budget`, cut before a UTF-8 sequence that would be
 * split when the bytes are UTF-8 (so a text value stays text, part after part).
 */
export function prefixWithin(bytes: Buffer, budget: number): Buffer {
  let part = bytes;
  for (let size = encodedSize(part); size > budget && part.length > 0; size = encodedSize(part)) {
    let end = Math.max(0, Math.floor((part.length * budget) / size) - 8);
    while (end > 0 && end < bytes.length && ((bytes[end] as number) & 0xc0) === 0x80) end--;
    part = bytes.subarray(0, end);
  }
  return part;
}

/** Texts longer than `max` bytes, cut with an explicit marker and their full length (for reports such as the audit). */
export function clipTexts<T>(value: T, max: number): T {
  if (typeof value === 'string') {
    const bytes = Buffer.byteLength(value);
    if (bytes <= max) return value;
    const cut = prefixWithin(Buffer.from(value), max - 40).toString('utf8');
    return `${cut}… [cut: ${bytes} bytes]` as T;
  }
  if (Array.isArray(value)) return value.map((item) => clipTexts(item, max)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, clipTexts(item, max)])) as T;
  }
  return value;
}
