/**
 * Wiring: one guarded Redis connection, the capability probe, and the tools the configuration selects, turned
 * into MCP servers (one for stdio, one per request for stateless HTTP). `tools/list` is answered from schemas
 * compacted once at start, because every token of it is paid by every conversation.
 */
import { readFileSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { type CallToolResult, ListToolsRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import {
  CAPABILITY_LABELS,
  type Capabilities,
  closeClient,
  connect,
  probeCapabilities,
  type RedisClient,
} from '@redis-agent-kit/patterns';
import { z } from 'zod';
import type { Limits, ServerConfig } from './config.ts';
import { errorResult } from './errors.ts';
import { guardClient } from './guard.ts';
import { encodeAnswer } from './bytes.ts';
import { listedSchema, type OpSpec, type ToolContext, type ToolDefinition } from './tool.ts';
import { GROUPS } from './tools/index.ts';

export const SERVER_NAME = 'redis-mcp-server';
/** The package's own version (package.json is one level above both src/ and dist/), announced to MCP clients. */
export const SERVER_VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;

/** Said once per connection (not per tool): the conventions and the bounds in force on this server. */
export function instructions(limits: Limits): string {
  return [
    'Redis tools. Keys are {service}:{entity}:{id}.',
    // The TTL rule of every write tool, said here once rather than on each tool's ttl field.
    `A write's ttl (seconds) applies only to a key the write creates: ttl: 0 for none; without ttl, ${limits.defaultTtl > 0 ? `the default TTL (${limits.defaultTtl} s)` : 'the write is refused'}. An existing key keeps its TTL, including none (keys expire/persist change it).`,
    `Bounded: a tool's [bound] holds for its ops that state none; count, k and lists <= ${limits.maxItems}; ttl <= 10 years; names (keys, fields, ids) <= ${limits.maxNameBytes} bytes; values <= ${limits.maxValueBytes} bytes per call; answers <= ${limits.maxAnswerBytes} bytes (a long string comes in parts: read on with start); reads touching > ${limits.maxReadElements} elements are refused. Follow cursor to page.`,
    'Bytes that are not UTF-8 travel as base64: with encoding: "base64", every key, name and value of the call is base64; an answer holding such bytes gives them all as base64 and says encoding: "base64".',
    'Check commands with the docs tool: the server may be newer than your training data.',
  ].join(' ');
}

interface Registered {
  definition: ToolDefinition;
  /** The ops this configuration exposes. */
  ops: string[];
  input: z.ZodObject;
  output: z.ZodObject;
  listing: Tool;
}

export interface RedisMcp {
  /** The guarded client the tools use. */
  redis: RedisClient;
  caps: Capabilities;
  config: ServerConfig;
  /** What `tools/list` answers. */
  tools: Tool[];
  /** Tools left out, and why (capability missing, read-only). */
  skipped: string[];
  /** A new MCP server with the tools registered, ready to connect to a transport. */
  createServer(): McpServer;
  close(): Promise<void>;
}

/** An op of a tool: its name, access, description and bound. */
type Op = [name: string, spec: OpSpec];

/**
 * The summary with the tool's bound, then each op with what it does and its own bound where it has one; ops with
 * the same words and no bound of their own are said once (`ttl, del, expire: names`):
 * `Keys of any type [O(1)/key]. scan: glob pattern, type [≤20 SCAN rounds]; info: type, ttl.`
 */
export function describeTool(summary: string, bound: string, ops: readonly Op[]): string {
  const said = new Map<string, string[]>();
  for (const [op, [, text, own]] of ops) {
    const what = [text, own ? `[${own}]` : ''].filter(Boolean).join(' ');
    if (!what) continue;
    const shared = own ? undefined : said.get(what);
    if (shared) shared.push(op);
    else said.set(own ? `${op}\0${what}` : what, [op]);
  }
  const parts = [...said].map(([key, names]) => {
    const what = key.includes('\0') ? key.slice(key.indexOf('\0') + 1) : key;
    return ops.length > 1 ? `${names.join(', ')}: ${what}` : what;
  });
  return `${summary.replace(/\.$/, '')} [${bound}].${parts.length ? ` ${parts.join('; ')}.` : ''}`;
}

/**
 * The answer as the client gets it: bytes encoded (text, or base64 for all when any is not UTF-8), and at most
 * `maxAnswerBytes` counting the structured content and its text copy; a larger one is refused with what to do.
 */
export function answerOf(result: Record<string, unknown>, maxAnswerBytes: number): CallToolResult {
  const structured = encodeAnswer(result);
  const text = JSON.stringify(structured);
  const size = 2 * Buffer.byteLength(text);
  if (size > maxAnswerBytes) {
    return {
      content: [
        {
          type: 'text',
          text: `the answer would be ${size} bytes, over the ${maxAnswerBytes}-byte bound (--max-answer-bytes): ask for fewer items (count, names, members), or read a long string in parts (string get with start)`,
        },
      ],
      isError: true,
    };
  }
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

/** Builds the schemas and listing of every tool this configuration exposes on this server. */
export function planTools(config: ServerConfig, caps: Capabilities): { registered: Registered[]; skipped: string[] } {
  const registered: Registered[] = [];
  const skipped: string[] = [];
  for (const group of GROUPS.filter((g) => config.groups.includes(g.name))) {
    for (const definition of group.tools) {
      if (definition.requires && !caps[definition.requires]) {
        skipped.push(`${definition.name}: server has no ${CAPABILITY_LABELS[definition.requires]}`);
        continue;
      }
      const exposed: Op[] = Object.entries(definition.ops).filter(
        ([, [access]]) => !config.readOnly || access === 'read',
      );
      const ops = exposed.map(([op]) => op);
      if (!ops.length) {
        skipped.push(`${definition.name}: write-only, and the server is read-only`);
        continue;
      }
      const readOnly = exposed.every(([, [access]]) => access === 'read');
      const shape: Record<string, z.core.$ZodType> = { ...definition.input({ limits: config.limits }) };
      if (config.readOnly) for (const name of definition.writeArgs ?? []) delete shape[name as string];
      // A tool with several ops takes `op` in every mode, so a call valid in full mode stays valid read-only;
      // with one op left it may be omitted.
      const op = z.enum(ops as [string, ...string[]]);
      const withOp =
        Object.keys(definition.ops).length > 1 ? { op: ops.length > 1 ? op : op.optional(), ...shape } : shape;
      // Strict: a misspelt or unknown argument is an error, never silently ignored.
      const input = z.strictObject(withOp);
      const output = z.object(definition.output);
      // Only hints that differ from MCP's defaults (readOnlyHint false, destructiveHint true, idempotentHint
      // false) are listed: saying a default costs tokens in every conversation and tells a client nothing.
      const annotations = readOnly
        ? { readOnlyHint: true }
        : {
            ...(definition.destructive === false ? { destructiveHint: false } : {}),
            ...(definition.idempotent ? { idempotentHint: true } : {}),
          };
      const listing = {
        name: definition.name,
        description: describeTool(definition.summary, definition.bound, exposed),
        inputSchema: listedSchema(input, 'input') as Tool['inputSchema'],
        ...(config.outputSchemas ? { outputSchema: listedSchema(output, 'output') as Tool['outputSchema'] } : {}),
        ...(Object.keys(annotations).length ? { annotations } : {}),
      };
      registered.push({ definition, ops, input, output, listing });
    }
  }
  return { registered, skipped };
}

/** Connects to Redis (failing with one redacted error when it cannot), probes it and plans the tools. */
export async function startRedisMcp(config: ServerConfig, env: NodeJS.ProcessEnv = process.env): Promise<RedisMcp> {
  const raw = await connect({
    url: config.url,
    cluster: config.target.cluster,
    ...(config.tls ? { tls: config.tls } : {}),
    name: SERVER_NAME,
    commandTimeoutMs: config.commandTimeoutMs,
    env,
  });
  const redis = guardClient(raw);
  const caps = await probeCapabilities(redis);
  const { registered, skipped } = planTools(config, caps);
  const ctx: ToolContext = { redis, caps, limits: config.limits, config, env };
  const tools = registered.map((r) => r.listing);

  const run = async (entry: Registered, input: Record<string, unknown>): Promise<CallToolResult> => {
    try {
      const op = input.op ?? entry.ops[0];
      const result = (await entry.definition.run({ ...input, op } as never, ctx)) as Record<string, unknown>;
      return answerOf(result, config.limits.maxAnswerBytes);
    } catch (error) {
      // A base64 key is not the key's name: WRONGTYPE then names no type rather than a wrong key's.
      const key = typeof input.key === 'string' && input.encoding === undefined ? input.key : undefined;
      return errorResult(error, { redis, key, commandTimeoutMs: config.commandTimeoutMs });
    }
  };

  return {
    redis,
    caps,
    config,
    tools,
    skipped,
    createServer() {
      const server = new McpServer(
        { name: SERVER_NAME, version: SERVER_VERSION },
        { instructions: instructions(config.limits) },
      );
      for (const entry of registered) {
        server.registerTool(
          entry.definition.name,
          {
            description: entry.listing.description ?? '',
            inputSchema: entry.input,
            outputSchema: entry.output,
            annotations: entry.listing.annotations ?? {},
          },
          (input: Record<string, unknown>) => run(entry, input),
        );
      }
      // The SDK would list the same schemas with `$schema` and safe-integer bounds on every one of them.
      server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
      // The SDK advertises tools/list_changed for every server; the tool list here is fixed at start, so say so.
      server.server.registerCapabilities({ tools: { listChanged: false } });
      return server;
    },
    close: () => closeClient(raw),
  };
}
