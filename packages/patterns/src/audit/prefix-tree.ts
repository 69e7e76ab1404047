/**
 * Count and memory by key prefix, as a tree over each key's segments (separators.ts) to a chosen depth. A key's
 * prefix is every segment but the last (the last is the id): `cache:user:42` counts under `cache` and `cache:user`.
 * Memory stays bounded on keyspaces with id-like segments, and the grouping stays consistent: once a node has more
 * than `maxChildren` distinct segments below it, all of them (those seen so far and those to come) fold into one
 * `*` child, so `user:1:name` … `user:600:name` are all `user:*` → `user:*:name`, never some listed and some folded.
 */
import { segmentsOf } from './separators.ts';
import type { PrefixNode } from './types.ts';

export interface PrefixStats {
  keys: number;
  bytes: number;
  /** Sum of squared bytes, for the sampling estimator's variance. */
  bytesSquared: number;
  keysWithoutTtl: number;
  bytesWithoutTtl: number;
  /** Of the counts above, the keys of a sampled audit's tail (inspected in full, not estimated). */
  tailKeys: number;
  tailBytes: number;
  tailBytesSquared: number;
}

interface Node extends PrefixStats {
  prefix: string;
  /** 0 for the root. */
  level: number;
  /** The separator before this node's segment, and the segment (the root's children: the key's separator). */
  separator: string;
  segment: string;
  /** Children by separator and segment (`:user`), or by segment alone below the root. */
  children: Map<string, Node>;
  /** Whether this node's children were folded into `*`. */
  folded: boolean;
  /** The separator that follows this prefix in its keys' names; null once they differ. */
  next: string | undefined | null;
}

const FOLDED = '*';

function newNode(prefix: string, level: number, separator: string, segment: string): Node {
  return {
    prefix,
    level,
    separator,
    segment,
    keys: 0,
    bytes: 0,
    bytesSquared: 0,
    keysWithoutTtl: 0,
    bytesWithoutTtl: 0,
    tailKeys: 0,
    tailBytes: 0,
    tailBytesSquared: 0,
    children: new Map(),
    folded: false,
    next: undefined,
  };
}

function childPrefix(parent: Node, separator: string, segment: string): string {
  return parent.level === 0 ? segment : `${parent.prefix}${separator}${segment}`;
}

function childKey(parent: Node, separator: string, segment: string): string {
  return parent.level === 0 ? segment : separator + segment;
}

/** Adds `from`'s counts and subtree into `into` (whose prefix may differ: the subtree's prefixes are rebuilt). */
function mergeInto(into: Node, from: Node, maxChildren: number): void {
  into.keys += from.keys;
  into.bytes += from.bytes;
  into.bytesSquared += from.bytesSquared;
  into.keysWithoutTtl += from.keysWithoutTtl;
  into.bytesWithoutTtl += from.bytesWithoutTtl;
  into.tailKeys += from.tailKeys;
  into.tailBytes += from.tailBytes;
  into.tailBytesSquared += from.tailBytesSquared;
  into.next = into.next === undefined || into.next === from.next ? from.next : null;
  for (const child of from.children.values()) {
    mergeInto(childOf(into, child.separator, child.segment, maxChildren), child, maxChildren);
  }
}

/** The child of `node` for a segment, folding the level into `*` once it has too many distinct segments. */
function childOf(node: Node, separator: string, segment: string, maxChildren: number): Node {
  const name = node.folded ? FOLDED : segment;
  const existing = node.children.get(childKey(node, separator, name));
  if (existing) return existing;
  if (!node.folded && node.children.size >= maxChildren) {
    const children = [...node.children.values()];
    node.children = new Map();
    node.folded = true;
    for (const child of children) mergeInto(childOf(node, child.separator, FOLDED, maxChildren), child, maxChildren);
    return childOf(node, separator, FOLDED, maxChildren);
  }
  const child = newNode(childPrefix(node, separator, name), node.level + 1, separator, name);
  node.children.set(childKey(node, separator, name), child);
  return child;
}

/** One deepest prefix and the keys directly under it. */
export type Partition = Pick<PrefixStats, 'keys' | 'bytes' | 'keysWithoutTtl' | 'bytesWithoutTtl'> & {
  prefix: string;
  separator: string | undefined;
};

export class PrefixTree {
  readonly depth: number;
  readonly maxChildren: number;
  private readonly root = newNode('', 0, '', '');

  constructor(depth = 3, maxChildren = 200) {
    this.depth = depth;
    this.maxChildren = maxChildren;
  }

  /** Counts a key under each of its prefixes; a key without a separator counts at the root only. */
  add(key: string, separator: string | undefined, bytes: number, hasTtl: boolean, tail = false): void {
    let node = this.root;
    const count = (n: Node) => countKey(n, bytes, hasTtl, tail);
    count(node);
    if (!separator) return;
    const segments = segmentsOf(key, separator);
    const levels = Math.min(this.depth, segments.length - 1);
    for (let i = 0; i < levels; i++) {
      node = childOf(node, separator, segments[i] as string, this.maxChildren);
      count(node);
      node.next = node.next === undefined || node.next === separator ? separator : null;
    }
  }

  /** The tree for a report: children sorted by bytes, the first `top` listed and the rest summed. */
  toReport(
    top: number,
    show: (prefix: string) => string = (prefix) => prefix,
    scale?: (stats: PrefixStats) => Pick<PrefixNode, 'estimatedKeys' | 'estimatedBytes'>,
  ) {
    const convert = (node: Node): PrefixNode => {
      const out: PrefixNode = {
        prefix: show(node.prefix),
        keys: node.keys,
        bytes: node.bytes,
        keysWithoutTtl: node.keysWithoutTtl,
        bytesWithoutTtl: node.bytesWithoutTtl,
        ...(node.next ? { separator: node.next } : {}),
        ...(scale ? scale(node) : {}),
      };
      const children = [...node.children.values()].sort(byBytes);
      if (children.length) out.children = children.slice(0, top).map(convert);
      const rest = children.slice(top);
      if (rest.length) {
        out.otherChildren = {
          count: rest.length,
          keys: rest.reduce((sum, c) => sum + c.keys, 0),
          bytes: rest.reduce((sum, c) => sum + c.bytes, 0),
        };
      }
      return out;
    };
    return convert(this.root);
  }

  /**
   * The keyspace split by deepest prefix: each node's own keys (its count minus its children's), so every key is
   * in exactly one entry. The root's own keys (prefix '') are those outside any namespace.
   */
  partition(): Partition[] {
    const out: Partition[] = [];
    const walk = (node: Node) => {
      const own = { prefix: node.prefix, separator: node.next ?? undefined, keys: node.keys, bytes: node.bytes };
      const ownTtl = { keysWithoutTtl: node.keysWithoutTtl, bytesWithoutTtl: node.bytesWithoutTtl };
      for (const child of node.children.values()) {
        own.keys -= child.keys;
        own.bytes -= child.bytes;
        ownTtl.keysWithoutTtl -= child.keysWithoutTtl;
        ownTtl.bytesWithoutTtl -= child.bytesWithoutTtl;
        walk(child);
      }
      if (own.keys > 0) out.push({ ...own, ...ownTtl });
    };
    walk(this.root);
    return out;
  }

  get totals(): PrefixStats {
    return this.root;
  }
}

function countKey(node: Node, bytes: number, hasTtl: boolean, tail: boolean): void {
  node.keys++;
  node.bytes += bytes;
  node.bytesSquared += bytes * bytes;
  if (tail) {
    node.tailKeys++;
    node.tailBytes += bytes;
    node.tailBytesSquared += bytes * bytes;
  }
  if (!hasTtl) {
    node.keysWithoutTtl++;
    node.bytesWithoutTtl += bytes;
  }
}

function byBytes(a: { bytes: number; prefix: string }, b: { bytes: number; prefix: string }): number {
  return b.bytes - a.bytes || (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0);
}
