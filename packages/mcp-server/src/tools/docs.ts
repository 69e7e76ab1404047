/**
 * Command documentation from the connected server itself (COMMAND DOCS and COMMAND INFO), so answers match the
 * version really running and need no network: the remedy for training data that stops at Redis 6 or 7.
 */
import { fieldRecord } from '@redis-agent-kit/patterns';
import { z } from 'zod';
import { args, defineGroup, defineTool } from '../tool.ts';

/**
 * One argument of COMMAND DOCS as the Redis command reference writes it: a token before its value (`EX seconds`),
 * alternatives joined by `|` (in `<…>` when one is required, as a token's value, or inside a block), a block's
 * parts in order, repetition as `x [x ...]` (the token said once unless it repeats with every value), and optional
 * parts in `[…]`.
 */
function argument(raw: unknown): string {
  const a = fieldRecord(raw);
  const flags = ((a.flags as string[] | undefined) ?? []).map(String);
  const token = a.token === undefined ? undefined : String(a.token);
  const children = (a.arguments as unknown[] | undefined) ?? [];
  const optional = flags.includes('optional');
  let value: string;
  if (a.type === 'pure-token') value = '';
  else if (a.type === 'oneof') {
    const choices = children.map(argument).join(' | ');
    value = token || !optional ? `<${choices}>` : choices;
  } else if (a.type === 'block') value = children.map(argument).join(' ');
  else value = String(a.display_text ?? a.name);
  const once = [token, value].filter(Boolean).join(' ');
  let text = once;
  if (flags.includes('multiple')) {
    // multiple_token: the token comes with every value (`GET pattern [GET pattern ...]`); else once (`ID id [id ...]`).
    text = flags.includes('multiple_token') || !token ? `${once} [${once} ...]` : `${token} ${value} [${value} ...]`;
  }
  return optional ? `[${text}]` : text;
}

/** The argument tree of COMMAND DOCS as one syntax line: `key value [NX | XX] [GET] [EX seconds | …]`. */
export function syntax(argsList: unknown[]): string {
  return argsList.map(argument).join(' ');
}

export default defineGroup(
  'docs',
  defineTool({
    name: 'docs',
    summary: 'Docs of a command from the connected server, or names matching pattern.',
    bound: 'O(1); names ≤count',
    ops: { lookup: ['read', ''] },
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
