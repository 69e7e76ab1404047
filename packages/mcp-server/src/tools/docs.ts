/**
 * Command documentation from the connected server itself (COMMAND DOCS and COMMAND INFO), so answers match the
 * version really running and need no network: the remedy for training data that stops at Redis 6 or 7.
 */
import { fieldRecord } from '@redis-agent-kit/patterns';
import { z } from 'zod';
import { args, defineGroup, defineTool } from '../tool.ts';

/** The argument tree of COMMAND DOCS as one syntax line: `key value [NX | XX] [GET] [EX seconds | …]`. */
export function syntax(argsList: unknown[]): string {
  return argsList
    .map((raw) => {
      const a = fieldRecord(raw);
      const flags = (a.flags as string[] | undefined) ?? [];
      let text: string;
      if (a.type === 'oneof')
        text = syntax(a.arguments as unknown[])
          .split(' ')
          .join(' | ');
      else if (a.type === 'block') text = `${a.token ? `${a.token} ` : ''}${syntax(a.arguments as unknown[])}`;
      else if (a.type === 'pure-token') text = String(a.token);
      else text = a.token ? `${a.token} ${a.name}` : String(a.name);
      if (a.type === 'oneof' && !flags.includes('optional')) text = `<${text}>`;
      if (flags.includes('multiple')) text = `${text} [${text} ...]`;
      return flags.includes('optional') ? `[${text}]` : text;
    })
    .join(' ');
}

export default defineGroup(
  'docs',
  defineTool({
    name: 'docs',
    summary: 'Docs of a command from the connected server, or names matching pattern.',
    ops: { lookup: ['read', 'docs', 'O(1); names ≤count'] },
    input: ({ limits }) => ({
      command: args.name(limits).optional().describe('e.g. client list'),
      pattern: args.name(limits).optional(),
      count: args.count(limits),
    }),
    output: {
      command: z.string().optional(),
      syntax: z.string().optional(),
      summary: z.string().optional(),
      since: z.string().optional(),
      complexity: z.string().optional(),
      flags: z.array(z.string()).optional(),
      names: z.array(z.string()).optional(),
    },
    async run(input, ctx) {
      if (input.command) {
        const words = input.command.trim().split(/\s+/);
        const name = words.join('|').toLowerCase();
        const [, rawDocs] = (await ctx.redis.call('COMMAND', 'DOCS', name)) as [string, unknown[]] | [];
        const info = (await ctx.redis.call('COMMAND', 'INFO', name)) as unknown[][];
        if (!rawDocs) throw new Error(`unknown command "${input.command}" on this server; list names with pattern`);
        const docs = fieldRecord(rawDocs);
        return {
          command: words.join(' ').toUpperCase(),
          syntax: `${words.join(' ').toUpperCase()} ${syntax((docs.arguments as unknown[]) ?? [])}`.trim(),
          summary: String(docs.summary ?? ''),
          since: String(docs.since ?? ''),
          complexity: String(docs.complexity ?? ''),
          flags: ((info[0]?.[2] as string[] | undefined) ?? []).map(String),
        };
      }
      const names = (await ctx.redis.call('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', input.pattern ?? '*')) as string[];
      return { names: names.sort().slice(0, input.count ?? ctx.limits.maxItems) };
    },
  }),
);
