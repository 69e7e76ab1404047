/**
 * How a tool is declared. One tool per group, with an `op` argument: one tool definition with a few ops costs far
 * fewer tokens in `tools/list` than one tool per command. Each op is marked read or write; in read-only mode the
 * write ops (and the arguments only they use) are left out of the schema, and a tool with no read op is not
 * registered at all.
 */
import type { Capabilities, CapabilityName, RedisClient } from '@redis-agent-kit/patterns';
import { type Command, masters as mastersOf, orThrow, sendBatch } from '@redis-agent-kit/patterns/cluster';
import { z } from 'zod';
import type { Limits, ServerConfig } from './config.ts';
import { type ByteRecord, encodingArg, wellFormed } from './bytes.ts';
import { assertCommandAllowed, guardClient } from './guard.ts';

export type Access = 'read' | 'write';

/**
 * An op: its access, a few words on what it does, and its bound (what its cost and answer grow with, at most) when
 * it differs from the tool's `bound`. The listing states both in the tool's description.
 */
export type OpSpec = readonly [access: Access, text: string, bound?: string];

/** What a tool returns: its output shape, where a string may be bytes (a Buffer) and a record of strings a ByteRecord. */
export type Answer<T> = T extends string
  ? string | Buffer
  : T extends readonly (infer U)[]
    ? Answer<U>[]
    : T extends object
      ? { [K in keyof T]: Answer<T[K]> } | ByteRecord
      : T;

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
  /** Each op: its access, a few words on what it does, and its own bound if not the tool's. */
  ops: Record<Op, OpSpec>;
  /** The bound of every op that states none (`O(1)/key`). */
  bound: string;
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
  run(args: z.output<z.ZodObject<In>> & { op: Op }, ctx: ToolContext): Promise<Answer<z.output<z.ZodObject<Out>>>>;
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

/** Ten years: data meant to outlive that is permanent, and says so with `ttl: 0`. */
export const MAX_TTL_SECONDS = 315_360_000;

/**
 * A name (channel, id, group, policy…) given as text: well-formed (a lone surrogate would be stored as U+FFFD) and
 * at most `--max-name-bytes`. Checked by the server, not listed in the schema (the bound is in the instructions).
 */
function name(limits: Pick<Limits, 'maxNameBytes'>) {
  return z
    .string()
    .refine(wellFormed, 'holds a lone UTF-16 surrogate (no UTF-8 bytes)')
    .refine(
      (text) => Buffer.byteLength(text) <= limits.maxNameBytes,
      `longer than ${limits.maxNameBytes} bytes (--max-name-bytes)`,
    );
}

/** Argument schemas listed otherwise than zod would list them (see `listedAs`). */
const LISTED_AS = new WeakMap<z.core.$ZodType, { type: string; description: string } | z.core.$ZodType>();

/**
 * Lists a nested argument as `listing` instead of its own JSON Schema: its type and a description of its shape,
 * where the words are much shorter than the schema (the vector tool's filter and documents), or another schema's
 * JSON Schema (a `record` as the `z.record` it validates like). The server still validates the argument against
 * `schema` in full.
 */
export function listedAs<T extends z.core.$ZodType>(
  schema: T,
  listing: { type: string; description: string } | z.core.$ZodType,
): T {
  LISTED_AS.set(schema, listing);
  return schema;
}

/**
 * An object of names → values (hash and stream fields, session data, vector attributes and filters): listed and
 * validated as `z.record(key, value)`, but every own entry the client sent is kept. zod's record skips a key named
 * `__proto__` (assigning it to a plain object would set the prototype instead), which lost a field of that name
 * without an error. Here each own entry is checked on its own and defined as an own property (`Object.fromEntries`,
 * as `JSON.parse` does), so `__proto__`, `constructor` or `toString` is a name like any other.
 */
export function record<K extends z.ZodType<string, string>, V extends z.ZodType>(key: K, value: V) {
  const listed = z.record(key, value);
  const schema = z.unknown().transform((input, ctx): Record<z.output<K>, z.output<V>> => {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      // Not an object at all: zod's own record says what was expected.
      ctx.issues.push(...issuesAt([], listed.safeParse(input).error, input));
      return z.NEVER;
    }
    const entries: [z.output<K>, z.output<V>][] = [];
    for (const [name, item] of Object.entries(input)) {
      const parsedName = key.safeParse(name);
      const parsedValue = value.safeParse(item);
      ctx.issues.push(...issuesAt([name], parsedName.error, name), ...issuesAt([name], parsedValue.error, item));
      if (parsedName.success && parsedValue.success) entries.push([parsedName.data, parsedValue.data]);
    }
    return Object.fromEntries(entries) as Record<z.output<K>, z.output<V>>;
  });
  return listedAs(schema, listed);
}

/** An entry's issues (messages already said), at its name under the record. */
function issuesAt(path: PropertyKey[], error: z.ZodError | undefined, input: unknown): z.core.$ZodRawIssue[] {
  return (error?.issues ?? []).map(
    (issue) => ({ ...issue, input, path: [...path, ...issue.path] }) as z.core.$ZodRawIssue,
  );
}

/** Shared argument schemas, so every tool names and bounds them the same way. */
export const args = {
  /** Keys, fields and members of the byte tools are decoded and bounded by `BytesIn` (they may be base64). */
  key: z.string(),
  name,
  /**
   * The TTL of a key a write creates: seconds, 0 for none (`ttlForNewKey`). The rule (new keys only, 0 for none,
   * else the default) is in the server instructions, said once for all tools rather than on nine fields.
   */
  ttl: z.number().int().min(0).max(MAX_TTL_SECONDS).optional(),
  /** A TTL that always expires (`keys expire`, sessions, cached values): at least 1 s. */
  expiry: z.number().int().min(1).max(MAX_TTL_SECONDS).optional(),
  /** How many items to return (default DEFAULT_COUNT), at most `maxItems`. */
  count: (limits: Limits) => z.number().int().min(1).max(limits.maxItems).optional(),
  /** Hash and stream entry fields: names → values, a field named `__proto__` included. */
  fields: record(z.string(), z.string()),
  record,
  encoding: encodingArg,
};

/** The default page size when a call names no count. */
export const DEFAULT_COUNT = 10;

/** The JSON Schema of a tool's input as listed: `listedAs` arguments in words, then compacted. */
export function listedSchema(input: z.core.$ZodType, io: 'input' | 'output'): unknown {
  const schema = z.toJSONSchema(input, {
    target: 'draft-7',
    io,
    override: ({ zodSchema, jsonSchema }) => {
      const listing = LISTED_AS.get(zodSchema);
      if (!listing) return;
      for (const name of Object.keys(jsonSchema)) delete (jsonSchema as Record<string, unknown>)[name];
      Object.assign(jsonSchema, listing instanceof z.core.$ZodType ? listedSchema(listing, io) : listing);
    },
  });
  return compactSchema(schema);
}

/** Schema keywords of numeric, length and pattern bounds: validated by the server, not listed. */
const BOUND_KEYWORDS = new Set(['minimum', 'maximum', 'maxItems', 'minLength', 'maxLength', 'pattern']);

/**
 * Removes what costs tokens in `tools/list` and tells a model nothing: `$schema`, bounds (BOUND_KEYWORDS), string
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
    // Numeric and length bounds are stated once in the server instructions and the ops' bounds, and the server
    // validates them all the same; so are the memory tools' id patterns (a mismatch is refused with the pattern).
    // A keyword's value is a number or a string; an object under such a name is a property (`keys` and `docs` take
    // a `pattern`).
    if (BOUND_KEYWORDS.has(name) && (typeof value === 'number' || typeof value === 'string')) continue;
    // An enum says its type by its values.
    if (name === 'type' && Array.isArray((schema as { enum?: unknown[] }).enum)) continue;
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
 * Sends the commands through the patterns' batch module, each to the node serving its key (so keys of different
 * slots work on a cluster), and returns their replies; the first failed command's error is thrown. The guard checks
 * each command here because on a cluster the batch module pipelines to the master nodes, below the guarded client.
 */
export async function sendCommands(ctx: ToolContext, commands: readonly Command[]): Promise<unknown[]> {
  for (const cmd of commands) assertCommandAllowed(cmd.name, cmd.args);
  return orThrow(await sendBatch(ctx.redis, commands));
}
