import { describe, expect, it } from 'vitest';
import { L1Store } from '../src/cache/l1-store.ts';
import { L1_DEFAULTS, l1Options } from '../src/cache/options.ts';

/** What the near cache counts an item as: 2 bytes per character of key and document. */
const size = (key: string, document: string) => 2 * (key.length + document.length);

describe('near cache store (L1Store)', () => {
  it('evicts the least recently used entry beyond maxEntries; a read makes an entry recent', () => {
    const store = new L1Store<string>(2, 1_000_000);
    store.set('a', '1', size('a', '1'));
    store.set('b', '2', size('b', '2'));
    expect(store.get('a')).toBe('1');
    store.set('c', '3', size('c', '3'));
    expect([store.get('a'), store.get('b'), store.get('c')]).toEqual(['1', undefined, '3']);
    expect(store.size).toBe(2);
  });

  it('gives each read entry a second chance, and never evicts the entry being kept', () => {
    const store = new L1Store<string>(3, 1_000_000);
    for (const key of ['a', 'b', 'c']) store.set(key, key, size(key, key));
    expect([store.get('a'), store.get('b'), store.get('c')]).toEqual(['a', 'b', 'c']);
    // All three were read: each gets its second chance once, then the oldest of them goes, not the new one.
    store.set('d', 'd', size('d', 'd'));
    expect([store.get('a'), store.get('b'), store.get('c'), store.get('d')]).toEqual([undefined, 'b', 'c', 'd']);
    // b, c and d are read again (marked): e evicts b, the oldest; a kept item that is not read again goes next.
    store.set('e', 'e', size('e', 'e'));
    store.set('f', 'f', size('f', 'f'));
    expect([store.get('b'), store.get('c'), store.get('d'), store.get('e'), store.get('f')]).toEqual([
      undefined,
      undefined,
      'd',
      'e',
      'f',
    ]);
    expect(store.size).toBe(3);
  });

  it('evicts beyond maxBytes by the weights given, and keeps no item heavier than it', () => {
    const store = new L1Store<string>(100, 40);
    store.set('k1', 'x'.repeat(8), size('k1', 'x'.repeat(8))); // 20 bytes
    store.set('k2', 'y'.repeat(8), size('k2', 'y'.repeat(8)));
    expect(store.bytes).toBe(40);
    store.set('k3', 'z'.repeat(3), size('k3', 'z'.repeat(3))); // 10 bytes: k1 goes
    expect([store.get('k1'), store.get('k2'), store.bytes]).toEqual([undefined, 'y'.repeat(8), 30]);
    store.set('big', 'w'.repeat(30), size('big', 'w'.repeat(30)));
    expect(store.get('big')).toBeUndefined();
    // Replacing a key's document frees the old one's bytes.
    store.set('k2', 'v', size('k2', 'v'));
    expect(store.bytes).toBe(10 + 6);
    store.delete('k2');
    store.clear();
    expect([store.size, store.bytes]).toEqual([0, 0]);
  });
});

describe('l1 option', () => {
  it('is off unless given; true takes the defaults; values out of range are a RangeError', () => {
    expect(l1Options(undefined)).toBeUndefined();
    expect(l1Options(false)).toBeUndefined();
    expect(l1Options(true)).toEqual(L1_DEFAULTS);
    expect(l1Options({ tracking: 'bcast', maxEntries: 5 })).toEqual({
      ...L1_DEFAULTS,
      tracking: 'bcast',
      maxEntries: 5,
    });
    expect(() => l1Options({ maxBytes: 0 })).toThrow(/l1.maxBytes must be an integer > 0, got 0/);
    expect(() => l1Options({ heartbeatMs: 1.5 })).toThrow(RangeError);
    expect(() => l1Options({ tracking: 'optin' as 'keys' })).toThrow(/l1.tracking must be 'keys' or 'bcast'/);
  });
});
