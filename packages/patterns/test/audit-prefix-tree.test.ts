import { describe, expect, it } from 'vitest';
import { PrefixTree } from '../src/audit/prefix-tree.ts';

describe('audit prefix tree', () => {
  it('counts keys and bytes under every prefix up to the depth, and keys without TTL', () => {
    const tree = new PrefixTree(2);
    tree.add('cache:user:1', 100, true);
    tree.add('cache:user:2', 50, false);
    tree.add('cache:product:1:name', 10, true);
    tree.add('plain', 7, false);
    const report = tree.toReport(10);
    expect(report).toMatchObject({ prefix: '', keys: 4, bytes: 167, keysWithoutTtl: 2, bytesWithoutTtl: 57 });
    const cache = report.children?.find((c) => c.prefix === 'cache');
    expect(cache).toMatchObject({ keys: 3, bytes: 160, keysWithoutTtl: 1 });
    expect(cache?.children?.map((c) => [c.prefix, c.keys, c.bytes])).toEqual([
      ['cache:user', 2, 150],
      ['cache:product', 1, 10],
    ]);
    // Depth 2 stops at cache:product even though the key has three prefix segments.
    expect(cache?.children?.[1]?.children).toBeUndefined();
  });

  it('partitions every key into exactly one deepest prefix, with namespace-less keys under ""', () => {
    const tree = new PrefixTree(3);
    for (const key of ['a:b:1', 'a:b:2', 'a:3', 'x', 'y']) tree.add(key, 1, false);
    const parts = tree.partition();
    expect(Object.fromEntries(parts.map((p) => [p.prefix, p.keys]))).toEqual({ 'a:b': 2, a: 1, '': 2 });
    expect(parts.reduce((sum, p) => sum + p.keysWithoutTtl, 0)).toBe(5);
  });

  it('folds segments past the children limit into * and sums children past top', () => {
    const tree = new PrefixTree(1, 3);
    for (let i = 0; i < 10; i++) tree.add(`ns${i}:k`, i + 1, true);
    const report = tree.toReport(2);
    const all = [...(report.children ?? [])];
    expect(all.map((c) => c.prefix)).toEqual(['*', 'ns2']);
    expect(all[0]).toMatchObject({ keys: 7, bytes: 4 + 5 + 6 + 7 + 8 + 9 + 10 });
    expect(report.otherChildren).toEqual({ count: 2, keys: 2, bytes: 1 + 2 });
  });
});
