import { describe, expect, it } from 'vitest';
import { byteString, displayKeyName, keyNameBytes, NameBook } from '../src/audit/key-name.ts';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))));

describe('key names as bytes', () => {
  it('shows printable UTF-8 names as they are, non-ASCII letters included', () => {
    expect(displayKeyName(Buffer.from('cache:user:42'))).toBe('cache:user:42');
    expect(displayKeyName(Buffer.from('café:ü:€'))).toBe('café:ü:€');
    expect(displayKeyName(Buffer.from('a\\b'))).toBe('a\\b');
  });

  it('escapes bytes outside UTF-8 and control characters like redis-cli, quoted', () => {
    expect(displayKeyName(bytes('bigbin:', [0xff, 0xfe]))).toBe('"bigbin:\\xff\\xfe"');
    expect(displayKeyName(Buffer.from('ctl:\n:1'))).toBe('"ctl:\\n:1"');
    expect(displayKeyName(Buffer.from('ctl:\x1b[31mred'))).toBe('"ctl:\\x1b[31mred"');
    expect(displayKeyName(Buffer.from('tab\there\r\x07\x08\x00\x7f'))).toBe('"tab\\there\\r\\a\\b\\x00\\x7f"');
    // A C1 control (U+0085) and a bidi override (U+202E) are escaped byte by byte.
    expect(displayKeyName(Buffer.from('a\u0085b\u202ec'))).toBe('"a\\xc2\\x85b\\xe2\\x80\\xaec"');
    // In an escaped name, printable UTF-8 stays readable, and `\` and `"` are escaped.
    expect(displayKeyName(bytes('é\\"', [0xc3]))).toBe('"é\\\\\\"\\xc3"');
  });

  it('quotes a name that starts with a quote, so it cannot pass for an escaped one', () => {
    expect(displayKeyName(Buffer.from('"x"'))).toBe('"\\"x\\""');
  });

  it('tells apart names a lossy decode would merge', () => {
    const raw = bytes('coll:', [0xff]);
    const replacement = Buffer.from('coll:\ufffd');
    expect(displayKeyName(raw)).toBe('"coll:\\xff"');
    expect(displayKeyName(replacement)).toBe('coll:\ufffd');
  });

  it('recovers the bytes of every shown name', () => {
    const names = [
      bytes('bigbin:', [0xff, 0xfe]),
      Buffer.from('ctl:\n:\x1b'),
      Buffer.from('"quoted"'),
      Buffer.from('plain:é'),
      bytes([0xe2, 0x82], ':cut'),
      Buffer.from('back\\slash'),
      Buffer.from(''),
      Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
    ];
    for (const name of names) expect(keyNameBytes(displayKeyName(name)).equals(name)).toBe(true);
    // Byte strings (one char per byte) are the same names.
    for (const name of names) expect(displayKeyName(byteString(name))).toBe(displayKeyName(name));
  });

  it('keeps the raw bytes (base64) of each escaped name it showed', () => {
    const book = new NameBook();
    expect(book.show(byteString(bytes('k:', [0xff])))).toBe('"k:\\xff"');
    expect(book.show('plain')).toBe('plain');
    expect(book.rawNames()).toEqual({ '"k:\\xff"': Buffer.from([0x6b, 0x3a, 0xff]).toString('base64') });
  });
});
