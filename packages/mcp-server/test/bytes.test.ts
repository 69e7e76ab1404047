import { describe, expect, it } from 'vitest';
import { ByteRecord, BytesIn, clipTexts, encodeAnswer, encodedSize, prefixWithin } from '../src/bytes.ts';

describe('encodeAnswer', () => {
  it('keeps UTF-8 bytes as text, and says nothing about encoding', () => {
    expect(encodeAnswer({ keys: [Buffer.from('a:é')], n: 1 })).toEqual({ keys: ['a:é'], n: 1 });
  });

  it('turns every byte string to base64 when one is not UTF-8, and says so', () => {
    const answer = encodeAnswer({
      keys: [Buffer.from('text'), Buffer.from([0xff, 0xfe])],
      fields: new ByteRecord([
        [Buffer.from('f'), Buffer.from([0xc3, 0x28])],
        [Buffer.from('n'), 3],
      ]),
    });
    expect(answer).toEqual({
      keys: ['dGV4dA==', '//4='],
      fields: { 'Zg==': 'wyg=', 'bg==': 3 },
      encoding: 'base64',
    });
  });
});

describe('encodeAnswer and clipTexts with a field named __proto__', () => {
  it("answer it as an own field, never as the answer object's prototype", () => {
    const fields = new ByteRecord([
      [Buffer.from('__proto__'), Buffer.from('{"polluted":true}')],
      [Buffer.from('constructor'), Buffer.from('c')],
    ]);
    const value = JSON.parse('{"__proto__":{"polluted":true},"toString":"t"}') as unknown;
    const proto = (base64: boolean) => (base64 ? Buffer.from('__proto__').toString('base64') : '__proto__');
    for (const [answer, base64] of [
      [encodeAnswer({ fields, value }), false],
      // A base64 answer: field names are base64, the keys of a JSON value stay as they are.
      [encodeAnswer({ fields, value, bytes: Buffer.from([0xff]) }), true],
      [clipTexts({ fields: Object.fromEntries([['__proto__', 'x']]) as object, value }, 100), false],
    ] as const) {
      expect(JSON.stringify(answer.value)).toMatch(/"__proto__":/);
      expect(Object.keys(answer.fields as object)).toContain(proto(base64));
      for (const part of [answer.fields, answer.value]) {
        expect(Object.getPrototypeOf(part)).toBe(Object.prototype);
      }
    }
  });
});

describe('BytesIn', () => {
  const io = new BytesIn(undefined, { maxNameBytes: 8 });
  it('refuses lone surrogates instead of storing U+FFFD, and names over the bound', () => {
    expect(() => io.name('a\ud800')).toThrow(/lone UTF-16 surrogate/);
    expect(() => io.value('\udfff')).toThrow(/lone UTF-16 surrogate/);
    expect(io.name('😀').length).toBe(4);
    expect(() => io.name('123456789', 'key')).toThrow(/key of 9 bytes exceeds the 8-byte limit/);
  });

  it('decodes base64 when the call says so, and refuses what is not base64', () => {
    const b64 = new BytesIn('base64', { maxNameBytes: 8 });
    expect(b64.name('//4=')).toEqual(Buffer.from([0xff, 0xfe]));
    expect(() => b64.name('not base64')).toThrow(/not base64/);
  });
});

describe('prefixWithin', () => {
  it('cuts to the budget in encoded bytes, before a split UTF-8 sequence', () => {
    const text = Buffer.from('é'.repeat(100));
    const part = prefixWithin(text, 52);
    expect(encodedSize(part)).toBeLessThanOrEqual(52);
    expect(part.toString()).toMatch(/^é{16,25}$/);
    expect(prefixWithin(Buffer.from('\u0000'.repeat(100)), 62).length).toBeLessThanOrEqual(10);
  });

  it('clipTexts marks a cut text with its full length', () => {
    expect(clipTexts({ k: ['x'.repeat(1000)] }, 100).k[0]).toMatch(/^x+… \[cut: 1000 bytes\]$/);
  });
});
