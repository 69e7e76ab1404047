import type { PrefixNode } from '@redis-agent-kit/patterns/audit';
import { describe, expect, it } from 'vitest';
import { prunePrefixes } from '../src/tools/audit.ts';

const node = (prefix: string, children?: PrefixNode[]): PrefixNode => ({
  prefix,
  keys: 1,
  bytes: 10,
  keysWithoutTtl: 0,
  bytesWithoutTtl: 0,
  ...(children ? { children } : {}),
});

const names = (tree: PrefixNode): string[] => [tree.prefix, ...(tree.children ?? []).flatMap(names)];

describe('prunePrefixes', () => {
  const tree = node('', [node('a', [node('a:x'), node('a:y')]), node('b', [node('b:z')]), node('c')]);

  it('keeps the first nodes breadth first, counts included, and cuts the rest', () => {
    expect(names(prunePrefixes(tree, 5)).sort()).toEqual(['', 'a', 'a:x', 'b', 'c']);
    expect(prunePrefixes(tree, 2)).toEqual({ ...node(''), children: [node('a')] });
  });

  it('returns the whole tree when it fits, and never changes the input', () => {
    const before = JSON.stringify(tree);
    expect(prunePrefixes(tree, 100)).toEqual(tree);
    expect(prunePrefixes(tree, 1)).toEqual(node(''));
    expect(JSON.stringify(tree)).toBe(before);
  });
});
