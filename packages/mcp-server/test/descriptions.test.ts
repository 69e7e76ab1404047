import type { Capabilities } from '@redis-agent-kit/patterns';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { planTools } from '../src/server.ts';
import { GROUPS, resolveGroups } from '../src/tools/index.ts';

const caps = {
  server: 'redis',
  version: '8.0.2',
  json: true,
  search: true,
  vectorSets: true,
  hashFieldTtl: true,
} as Capabilities;

describe('tool descriptions', () => {
  it('name the bound of every op, in every tool', () => {
    const { registered } = planTools(parseConfig(['--profile', 'full'], {}, resolveGroups), caps);
    const listed = new Map(registered.map((r) => [r.definition.name, r.listing.description ?? '']));
    for (const tool of GROUPS.flatMap((group) => group.tools)) {
      const description = listed.get(tool.name) ?? '';
      // The tool's bound, stated after its summary, holds for every op that states none of its own.
      expect(tool.bound.trim(), `${tool.name} has a bound`).not.toBe('');
      expect(description.startsWith(`${tool.summary.replace(/\.$/, '')} [${tool.bound}].`), tool.name).toBe(true);
      for (const [op, [, text, own]] of Object.entries(tool.ops)) {
        if (own === undefined) continue;
        const named = Object.keys(tool.ops).length > 1 ? `${op}: ${text ? `${text} ` : ''}[${own}]` : `[${own}]`;
        expect(description, `${tool.name} ${op}`).toContain(named);
      }
    }
  });

  it('state the TTL rule where writes take ttl', () => {
    const { registered } = planTools(parseConfig(['--profile', 'full'], {}, resolveGroups), caps);
    for (const { listing } of registered) {
      const ttl = (listing.inputSchema.properties as Record<string, { description?: string }>).ttl;
      if (ttl && (listing.inputSchema.properties as Record<string, unknown>).permanent) {
        expect(ttl.description, listing.name).toMatch(/new keys only/);
      }
    }
  });

  it('say, in every byte tool, that keys and values may travel as base64', () => {
    const { registered } = planTools(parseConfig(['--profile', 'full'], {}, resolveGroups), caps);
    const byteTools = registered.filter(
      ({ listing }) => (listing.inputSchema.properties as Record<string, unknown>).encoding,
    );
    expect(byteTools.map((r) => r.listing.name).sort()).toEqual([
      'hash',
      'keys',
      'list',
      'server',
      'set',
      'stream',
      'string',
      'zset',
    ]);
    for (const { listing } of byteTools) {
      const encoding = (listing.inputSchema.properties as Record<string, { description?: string; enum?: string[] }>)
        .encoding;
      expect(encoding?.enum, listing.name).toEqual(['base64']);
      expect(encoding?.description, listing.name).toMatch(/base64/);
    }
  });
});
