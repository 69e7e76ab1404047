import { describe, expect, it } from 'vitest';
import { PrefixTree } from '../src/audit/prefix-tree.ts';
import type { PrefixNode } from '../src/audit/types.ts';

const all = (node: PrefixNode): PrefixNode[] => (node.children ?? []).flatMap((c) => [c, ...all(c)]);

describe('audit prefix tree', () => {
  it('counts keys and bytes under every prefix up to the depth, and keys without TTL', () => {
    const tree = new PrefixTree(2);
    tree.add('cache:user:1', ':', 100, true);
    tree.add('cache:user:2', ':', 50, false);
    tree.add('cache:product:1:name', ':', 10, true);
    tree.add('plain', undefined, 7, false);
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

  it('splits each key by its own separator and keeps the prefixes as they are written', () => {
    const tree = new PrefixTree(3);
    tree.add('api/v1/token/abc', '/', 1, true);
    tree.add('metrics.cpu.host1', '.', 1, true);
    tree.add('tenant|7|seen', '|', 1, true);
    tree.add(':lead:1', ':', 1, true);
    const prefixes = all(tree.toReport(10)).map((n) => n.prefix);
    expect(prefixes.sort()).toEqual([
      ':lead',
      'api',
      'api/v1',
      'api/v1/token',
      'metrics',
      'metrics.cpu',
      'tenant',
      'tenant|7',
    ]);
    expect(prefixes).not.toContain('');
  });

  it('partitions every key into exactly one deepest prefix, with namespace-less keys under ""', () => {
    const tree = new PrefixTree(3);
    for (const key of ['a:b:1', 'a:b:2', 'a:3']) tree.add(key, ':', 1, false);
    for (const key of ['x', 'y']) tree.add(key, undefined, 1, false);
    const parts = tree.partition();
    expect(Object.fromEntries(parts.map((p) => [p.prefix, p.keys]))).toEqual({ 'a:b': 2, a: 1, '': 2 });
    expect(parts.reduce((sum, p) => sum + p.keysWithoutTtl, 0)).toBe(5);
  });

  it('folds every child of a level into * once it has too many, those seen before included', () => {
    const tree = new PrefixTree(3, 200);
    for (let id = 0; id < 600; id++) {
      tree.add(`user:${id}:name`, ':', 1, true);
      tree.add(`user:${id}:mail:work`, ':', 2, true);
    }
    const user = tree.toReport(20).children?.[0];
    expect(user?.prefix).toBe('user');
    expect(user?.children?.map((c) => [c.prefix, c.keys])).toEqual([['user:*', 1200]]);
    expect(user?.otherChildren).toBeUndefined();
    expect(user?.children?.[0]?.children?.map((c) => [c.prefix, c.keys, c.bytes])).toEqual([
      ['user:*:mail', 600, 1200],
    ]);
  });

  it('sums children past top', () => {
    const tree = new PrefixTree(1, 200);
    for (let i = 0; i < 10; i++) tree.add(`ns${i}:k`, ':', i + 1, true);
    const report = tree.toReport(2);
    expect(report.children?.map((c) => c.prefix)).toEqual(['ns9', 'ns8']);
    expect(report.otherChildren).toEqual({ count: 8, keys: 8, bytes: 36 });
  });
});
