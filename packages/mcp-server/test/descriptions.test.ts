import { readFileSync } from 'node:fs';
import type { Capabilities } from '@redis-agent-kit/patterns';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { parseConfig } from '../src/config.ts';
import { describeTool, instructions, planTools } from '../src/server.ts';
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

  it('say the words of ops that share them once, but never merge an op that states its own bound', () => {
    expect(
      describeTool('Hash keys.', 'O(names)', [
        ['get', ['read', 'names, else a page', 'HSCAN ~count']],
        ['ttl', ['read', 'names']],
        ['set', ['write', 'fields']],
        ['del', ['write', 'names']],
        ['scan', ['read', 'names, else a page', 'HSCAN ~count']],
        ['persist', ['write', '']],
      ]),
    ).toBe(
      'Hash keys [O(names)]. get: names, else a page [HSCAN ~count]; ttl, del: names; set: fields; scan: names, else a page [HSCAN ~count].',
    );
  });

  it('state the TTL rule once, and take ttl: 0 for none exactly where a write creates keys', () => {
    const { registered } = planTools(parseConfig(['--profile', 'full'], {}, resolveGroups), caps);
    const text = instructions(parseConfig([], {}, resolveGroups).limits);
    expect(text).toMatch(
      /applies only to a key the write creates: ttl: 0 for none; without ttl, the default TTL \(3600 s\)/,
    );
    expect(text).toMatch(/An existing key keeps its TTL, including none/);
    expect(instructions(parseConfig(['--default-ttl', '0'], {}, resolveGroups).limits)).toMatch(/the write is refused/);
    const zeroAccepted = registered
      .filter((r) => 'ttl' in r.input.shape)
      .map((r) => [r.definition.name, (r.input.shape as Record<string, z.ZodType>).ttl?.safeParse(0).success] as const);
    // Tools that create keys take ttl: 0 (permanent); a TTL set on purpose (keys expire) or on data that always
    // expires (sessions, cached values, a session's messages) is at least 1 s.
    expect(Object.fromEntries(zeroAccepted)).toEqual({
      keys: false,
      string: true,
      hash: true,
      list: true,
      set: true,
      zset: true,
      stream: true,
      json: true,
      session: false,
      cache: false,
      memory: true,
      working_memory: false,
      vector: true,
    });
    for (const { listing } of registered) {
      expect(listing.inputSchema.properties, listing.name).not.toHaveProperty('permanent');
    }
  });

  it('AGENTS.md, the skill and the README give the same TTL rule: ttl: 0 for none, no permanent flag', () => {
    for (const doc of ['../../../AGENTS.md', '../../../templates/skill/SKILL.md', '../README.md']) {
      const text = readFileSync(new URL(doc, import.meta.url), 'utf8');
      expect(text, doc).toContain('`ttl: 0` for none');
      expect(text, doc).not.toContain('permanent: true');
    }
  });

  it('take encoding: "base64" in every byte tool; the instructions say what it covers', () => {
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
      const encoding = (listing.inputSchema.properties as Record<string, { enum?: string[] }>).encoding;
      expect(encoding?.enum, listing.name).toEqual(['base64']);
    }
    expect(instructions(parseConfig([], {}, resolveGroups).limits)).toMatch(
      /with encoding: "base64", every key, name and value of the call is base64/,
    );
  });
});
