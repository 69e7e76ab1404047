import { describe, expect, it } from 'vitest';
import { chooseCodec, hashTag, jsonCodec, keySlot, stringEnvelopeCodec } from '../src/index.ts';

const entry = { value: { id: 42, name: 'Kettle', tags: ['kitchen'] }, deltaMs: 12.5, expiresAt: 1_800_000_000_000 };

describe('cache codecs', () => {
  it('picks JSON documents where the server has JSON, the string envelope elsewhere', () => {
    expect(chooseCodec({ json: true })).toBe(jsonCodec);
    expect(chooseCodec({ json: false })).toBe(stringEnvelopeCodec);
  });

  it('JSON codec: replaces the key, sets the document at $ and the TTL, in that order', () => {
    const payload = jsonCodec.encode(entry);
    expect(JSON.parse(payload)).toEqual({ v: entry.value, d: 12.5, e: entry.expiresAt });
    expect(jsonCodec.writeCommands('cache:product:42', payload, 360_000)).toEqual([
      ['UNLINK', 'cache:product:42'],
      ['JSON.SET', 'cache:product:42', '$', payload],
      ['PEXPIRE', 'cache:product:42', '360000'],
    ]);
    expect(jsonCodec.readCommand('cache:product:42')).toEqual(['JSON.GET', 'cache:product:42', '$']);
  });

  it('JSON codec: reads the first match of the $ reply; nil, garbage and foreign documents are misses', () => {
    expect(jsonCodec.decode(`[${jsonCodec.encode(entry)}]`)).toEqual(entry);
    expect(jsonCodec.decode(null)).toBeUndefined();
    expect(jsonCodec.decode('[]')).toBeUndefined();
    expect(jsonCodec.decode('not json')).toBeUndefined();
    expect(jsonCodec.decode('[{"name":"written by someone else"}]')).toBeUndefined();
  });

  it('string envelope: one SET with PX writes value and TTL together, and reads back', () => {
    const payload = stringEnvelopeCodec.encode(entry);
    expect(stringEnvelopeCodec.writeCommands('cache:product:42', payload, 360_000)).toEqual([
      ['SET', 'cache:product:42', payload, 'PX', '360000'],
    ]);
    expect(stringEnvelopeCodec.readCommand('cache:product:42')).toEqual(['GET', 'cache:product:42']);
    expect(stringEnvelopeCodec.decode(payload)).toEqual(entry);
    expect(stringEnvelopeCodec.decode(null)).toBeUndefined();
    expect(stringEnvelopeCodec.decode('plain string')).toBeUndefined();
  });

  it('keeps null as a cacheable value', () => {
    const nullEntry = { ...entry, value: null };
    expect(stringEnvelopeCodec.decode(stringEnvelopeCodec.encode(nullEntry))).toEqual(nullEntry);
  });
});

describe('cluster key slots', () => {
  it('matches CLUSTER KEYSLOT for known keys', () => {
    // Values from the Redis Cluster specification and `CLUSTER KEYSLOT` on Redis 8.
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('123456789')).toBe(12739);
    expect(keySlot('')).toBe(0);
  });

  it('hashes only the first non-empty hash tag', () => {
    expect(hashTag('{user1000}.following')).toBe('user1000');
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    expect(hashTag('foo{}{bar}')).toBe('foo{}{bar}');
    expect(hashTag('foo{{bar}}')).toBe('{bar');
    expect(hashTag('foo{bar')).toBe('foo{bar');
  });
});
