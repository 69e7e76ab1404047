import { describe, expect, it } from 'vitest';
import { chooseCodec, jsonCodec, stringEnvelopeCodec } from '../src/cache/codec.ts';

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
      { name: 'UNLINK', args: ['cache:product:42'], keys: [0] },
      { name: 'JSON.SET', args: ['cache:product:42', '$', payload], keys: [0] },
      { name: 'PEXPIRE', args: ['cache:product:42', '360000'], keys: [0] },
    ]);
    expect(jsonCodec.readCommand('cache:product:42')).toEqual({
      name: 'JSON.GET',
      args: ['cache:product:42', '$'],
      keys: [0],
    });
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
      { name: 'SET', args: ['cache:product:42', payload, 'PX', '360000'], keys: [0] },
    ]);
    expect(stringEnvelopeCodec.readCommand('cache:product:42')).toEqual({
      name: 'GET',
      args: ['cache:product:42'],
      keys: [0],
    });
    expect(stringEnvelopeCodec.decode(payload)).toEqual(entry);
    expect(stringEnvelopeCodec.decode(null)).toBeUndefined();
    expect(stringEnvelopeCodec.decode('plain string')).toBeUndefined();
  });

  it('keeps null as a cacheable value', () => {
    const nullEntry = { ...entry, value: null };
    expect(stringEnvelopeCodec.decode(stringEnvelopeCodec.encode(nullEntry))).toEqual(nullEntry);
  });
});
