/**
 * Count and memory by key prefix, as a tree over ':' segments to a chosen depth. A key's prefix is every segment
 * but the last (the last is the id): `cache:user:42` counts under `cache` and `cache:user`. Memory stays bounded
 * on keyspaces with id-like segments: past `maxChildren` distinct segments under one node, the rest fold into `*`.
 */
import type { PrefixNode } from './types.ts';

export interface PrefixStats {
  keys: number;
  bytes: number;
  /** Sum of squared bytes, for the sampling estimator's variance. */
  bytesSquared: number;
  keysWithoutTtl: number;
  bytesWithoutTtl: number;
}

interface Node extends PrefixStats {
  prefix: string;
  children: Map<string, Node>;
}

const FOLDED = '*';

function newNode(prefix: string): Node {
  return { prefix, keys: 0, bytes: 0, bytesSquared: 0, keysWithoutTtl: 0, bytesWithoutTtl: 0, children: new Map() };
}

export class PrefixTree {
  readonly depth: number;
  readonly maxChildren: number;
  private readonly root = newNode('');

  constructor(depth = 3, maxChildren = 200) {
    this.depth = depth;
    this.maxChildren = maxChildren;
  }

  add(key: string, bytes: number, hasTtl: boolean): void {
    const segments = segmentsOf(key);
    const levels = Math.min(this.depth, segments.length - 1);
    let node = this.root;
    count(node, bytes, hasTtl);
    for (let i = 0; i < levels; i++) {
      const segment = segments[i] as string;
      let child = node.children.get(segment);
      if (!child) {
        const folded = node.children.size >= this.maxChildren;
        const name = folded ? FOLDED : segment;
        child = node.children.get(name);
        if (!child) {
          child = newNode(node.prefix ? `${node.prefix}:${name}` : name);
          node.children.set(name, child);
        }
      }
      node = child;
      count(node, bytes, hasTtl);
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
  partition(): (Omit<PrefixStats, 'bytesSquared'> & { prefix: string })[] {
    const out: (Omit<PrefixStats, 'bytesSquared'> & { prefix: string })[] = [];
    const walk = (node: Node) => {
      const own = { prefix: node.prefix, keys: node.keys, bytes: node.bytes };
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

/**
 * A key's segments over ':'. Separators at the very start belong to the first segment (`:lead:1` is under
 * `:lead`), so a leading separator never makes a node with an empty prefix.
 */
export function segmentsOf(key: string, separator = ':'): string[] {
  let start = 0;
  while (key.startsWith(separator, start)) start += separator.length;
  const segments = key.slice(start).split(separator);
  segments[0] = key.slice(0, start) + segments[0];
  return segments;
}

function count(node: Node, bytes: number, hasTtl: boolean): void {
  node.keys++;
  node.bytes += bytes;
  node.bytesSquared += bytes * bytes;
  if (!hasTtl) {
    node.keysWithoutTtl++;
    node.bytesWithoutTtl += bytes;
  }
}

function byBytes(a: { bytes: number; prefix: string }, b: { bytes: number; prefix: string }): number {
  return b.bytes - a.bytes || a.prefix.localeCompare(b.prefix);
}
