/**
 * The key audit (`auditKeyspace` from the patterns) with bounded options: how many keys it inspects, how deep it
 * groups prefixes, how much it lists, how many commands per second it sends, and how long it may run
 * (`--max-wait-ms`). The report's prefix tree is cut to `--max-items` nodes, breadth first.
 */
import { type AuditReport, auditKeyspace, type PrefixNode } from '@redis-agent-kit/patterns/audit';
import { z } from 'zod';
import { clipTexts } from '../bytes.ts';
import { args, defineGroup, defineTool } from '../tool.ts';

/** Longest text (a key name, a prefix) the report shows whole; a longer one is cut with a marker and its length. */
const MAX_SHOWN_BYTES = 200;

/** The first `budget` nodes of the tree, breadth first; a cut node keeps its counts and loses its children. */
export function prunePrefixes(root: PrefixNode, budget: number): PrefixNode {
  const copy = (node: PrefixNode): PrefixNode => {
    const { children: _, ...rest } = node;
    return rest;
  };
  const top = copy(root);
  const queue: [PrefixNode, PrefixNode][] = [[root, top]];
  let left = budget - 1;
  while (queue.length && left > 0) {
    const [source, target] = queue.shift() as [PrefixNode, PrefixNode];
    for (const child of source.children ?? []) {
      if (left-- <= 0) break;
      const kept = copy(child);
      (target.children ??= []).push(kept);
      queue.push([child, kept]);
    }
  }
  return top;
}

const record = z.record(z.string(), z.unknown());

export default defineGroup(
  'audit',
  defineTool({
    name: 'audit',
    summary: 'Key audit of sample keys: memory by prefix and type, no-TTL and big keys',
    bound: '≤100000 keys, ≤opsPerSec, ≤max wait',
    ops: { run: ['read', ''] },
    input: ({ limits }) => ({
      match: args.name(limits).optional(),
      sample: z.number().int().min(1).max(100_000).optional(),
      depth: z.number().int().min(1).max(4).optional(),
      top: z.number().int().min(1).max(20).optional(),
      opsPerSec: z.number().int().min(1).max(10_000).optional(),
    }),
    // The main fields only: the rest of the report (types, withoutTtl, bigKeys, prefixes, notes) comes along.
    output: { target: z.string(), totals: record, findings: z.array(record) },
    async run(input, ctx) {
      const report: AuditReport = await auditKeyspace(ctx.redis, {
        ...(input.match ? { match: input.match } : {}),
        sampleKeys: input.sample ?? 1000,
        prefixDepth: input.depth ?? 2,
        top: input.top ?? 5,
        maxOpsPerSecond: input.opsPerSec ?? 1000,
        signal: AbortSignal.timeout(ctx.limits.maxWaitMs),
        capabilities: ctx.caps,
      });
      const { options: _, prefixes, ...rest } = report;
      const findings = rest.findings.map((finding) => ({ ...finding }));
      return clipTexts({ ...rest, findings, prefixes: prunePrefixes(prefixes, ctx.limits.maxItems) }, MAX_SHOWN_BYTES);
    },
  }),
);
