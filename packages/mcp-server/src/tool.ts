/**
 * How a tool is declared. One tool per group, with an `op` argument: one tool definition with a few ops costs far
 * fewer tokens in `tools/list` than one tool per command. Each op is marked read or write; in read-only mode the
 * write ops (and the arguments only they use) are left out of the schema, and a tool with no read op is not
 * registered at all.
 */
import type { Capabilities, CapabilityName, RedisClient } from '@redis-agent-kit/patterns';
import {
  type Command,
  masters as mastersOf,
  orThrow,
  sendBatch,
  sendTransaction,
} from '@redis-agent-kit/patterns/cluster';
import { z } from 'zod';
import type { Limits, ServerConfig } from './config.ts';
import { assertCommandAllowed, expireCommands, guardClient, type TtlDecision } from './guard.ts';

export type Access = 'read' | 'write';

export interface ToolContext {
  /** The guarded client: blocked commands throw before they are sent. */
  redis: RedisClient;
  caps: Capabilities;
  limits: Limits;
  config: ServerConfig;
  /** The environment the server started with (the vector group's embedder settings). */
  env: NodeJS.ProcessEnv;
}

export interface SchemaOptions {
  limits: Limits;
}

type Shape = z.ZodRawShape;

export interface ToolDefinition<Op extends string = string, In extends Shape = Shape, Out extends Shape = Shape> {
  name: string;
  /** One short sentence; the ops' own descriptions are appended. */
  summary: string;
  /** Each op: its access and a few words on what it does. */
  ops: Record<Op, readonly [Access, string]>;
  /** Arguments besides `op`; every one but `key` optional unless all ops need it. */
  input(options: SchemaOptions): In;
  /** Arguments only write ops use, dropped from the schema in read-only mode. */
  writeArgs?: readonly (keyof In)[];
  output: Out;
  /** Not registered when the server lacks this capability. */
  requires?: CapabilityName;
  /** For tools with write ops: may a write destroy data (overwrite, delete)? Default true. */
  destructive?: boolean;
  /** For tools with write ops: does repeating a call with the same arguments change nothing more? Default false. */
  idempotent?: boolean;
  run(args: z.output<z.ZodObject<In>> & { op: Op }, ctx: ToolContext): Promise<z.output<z.ZodObject<Out>>>;
}

/** A switchable group of tools (`--tools <name>`): one file under src/tools. */
export interface ToolGroup {
  name: string;
  tools: ToolDefinition[];
}

export function defineTool<Op extends string, In extends Shape, Out extends Shape>(
  tool: ToolDefinition<Op, In, Out>,
): ToolDefinition {
  return tool as unknown as ToolDefinition;
}

export function defineGroup(name: string, ...tools: ToolDefinition[]): ToolGroup {
  return { name, tools };
}

/** Shared argument schemas, so every tool names and bounds them the same way. */
export const args = {
  key: z.string(),
  // Meaning of ttl (seconds) and permanent (no TTL) is in the server instructions, said once for all tools.
  ttl: z.number().int().min(1).optional(),
  permanent: z.boolean().optional(),
  /** How many items to return (default DEFAULT_COUNT), at most `maxItems`. */
  count: (limits: Limits) => z.number().int().min(1).max(limits.maxItems).optional(),
  fields: z.record(z.string(), z.string()),
};

/** The default page size when a call names no count. */
export const DEFAULT_COUNT = 10;

/**
 * Removes what costs tokens in `tools/list` and tells a model nothing: `$schema`, safe-integer bounds, string
 * `propertyNames`, `additionalProperties: false` (inputs stay strict: the server validates with the zod schema),
 * and `additionalProperties: {}` (any value: JSON Schema's default); an `anyOf` of bare types is one `type` list.
 */
export function compactSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(compactSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const { anyOf, ...rest } = schema as Record<string, unknown>;
  if (Array.isArray(anyOf) && rest.type === undefined) {
    const options = anyOf.map(compactSchema) as Record<string, unknown>[];
    if (options.every((option) => Object.keys(option).length === 1 && typeof option.type === 'string')) {
      return compactSchema({ ...rest, type: options.map((option) => option.type) });
    }
  }
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(schema)) {
    if (name === '$schema' || name === 'propertyNames') continue;
    if ((name === 'minimum' || name === 'maximum') && Math.abs(value as number) === Number.MAX_SAFE_INTEGER) continue;
    if (name === 'additionalProperties' && (value === false || isEmptyObject(value))) continue;
    out[name] = compactSchema(value);
  }
  return out;
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

export type ClusterClient = Extract<RedisClient, { nodes: unknown }>;
export type StandaloneClient = Exclude<RedisClient, ClusterClient>;

/** A cluster's masters, guarded like the client (node-level commands: SCAN, INFO, DBSIZE…), or the one server. */
export function masters(redis: RedisClient): StandaloneClient[] {
  const nodes = mastersOf(redis);
  return redis.isCluster ? nodes.map((node) => guardClient(node)) : nodes;
}

/**
 * Runs the commands and the TTL decision's EXPIRE in one MULTI on `key` (one slot, so cluster-safe), and returns
 * the replies of the commands. A failed command throws its error.
 */
export async function writeWithTtl(
  ctx: ToolContext,
  key: string,
  ttl: TtlDecision,
  commands: readonly Command[],
): Promise<unknown[]> {
  const replies = await sendTransaction(ctx.redis, [...commands, ...expireCommands(key, ttl)]);
  return replies.slice(0, commands.length);
}

/**
 * Sends the commands through the patterns' batch module, each to the node serving its key (so keys of different
 * slots work on a cluster), and returns their replies; the first failed command's error is thrown. The guard checks
 * each command here because on a cluster the batch module pipelines to the master nodes, below the guarded client.
 */
export async function sendCommands(ctx: ToolContext, commands: readonly Command[]): Promise<unknown[]> {
  for (const cmd of commands) assertCommandAllowed(cmd.name, cmd.args);
  return orThrow(await sendBatch(ctx.redis, commands));
}
