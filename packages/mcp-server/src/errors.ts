/**
 * Every failure of a tool becomes an MCP error result (`isError: true`) with a message that says what went wrong
 * and what to do; passwords never appear in it. The server itself never throws on a bad call.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CapabilityMissingError, describeClient, type RedisClient, redactClientError } from '@redis-agent-kit/patterns';
import { PolicyError } from './guard.ts';

/** The tool that handles each Redis type, for WRONGTYPE hints. */
const TOOL_FOR_TYPE: Record<string, string> = {
  string: 'string',
  hash: 'hash',
  list: 'list',
  set: 'set',
  zset: 'zset',
  stream: 'stream',
  'ReJSON-RL': 'json',
};

const CONNECTION_ERROR =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|Connection is closed|Stream isn't writeable|max retries per request|MaxRetriesPerRequest|enableOfflineQueue|ClusterAllFailedError|Failed to refresh slots cache|None of startup nodes/i;

/** ioredis' own deadline (`commandTimeout`): the server may be up and merely slow or busy. */
const COMMAND_TIMEOUT = /Command timed out/i;

export interface ErrorContext {
  redis: RedisClient;
  /** The key the call was about, to name its real type on WRONGTYPE. */
  key?: string | undefined;
  /** `--command-timeout-ms`, to say which deadline fired. */
  commandTimeoutMs?: number | undefined;
}

/**
 * The error a transaction hides behind EXECABORT: Redis refuses to queue a command (NOPERM, a wrong argument count)
 * and then discards the whole MULTI; ioredis keeps the refusals in `previousErrors`.
 */
function cause(error: unknown): unknown {
  const previous = (error as { previousErrors?: unknown[] } | undefined)?.previousErrors;
  if (
    error instanceof Error &&
    /^EXECABORT/.test(error.message) &&
    Array.isArray(previous) &&
    previous[0] instanceof Error
  ) {
    return previous[0];
  }
  return error;
}

/** A plain-language message for an error from Redis, the policy or the network. */
export async function explainError(error: unknown, ctx: ErrorContext): Promise<string> {
  if (error instanceof PolicyError || error instanceof CapabilityMissingError) return error.message;
  const message = redactClientError(ctx.redis, cause(error)).message;
  if (/^WRONGTYPE/.test(message)) {
    let actual = 'another type';
    if (ctx.key !== undefined) {
      try {
        actual = `a ${await ctx.redis.type(ctx.key)}`;
      } catch {
        // keep the generic wording
      }
    }
    const tool = TOOL_FOR_TYPE[actual.slice(2)];
    return `WRONGTYPE: key "${ctx.key ?? '?'}" holds ${actual}, which this operation cannot read or change${
      tool ? `; use the ${tool} tool` : ''
    }, or pick another key.`;
  }
  if (/unknown command/i.test(message)) {
    const command = /unknown command '([^']+)'/i.exec(message)?.[1] ?? 'this command';
    return `capability missing: the server does not support ${command.toUpperCase()} (${message})`;
  }
  if (/^CROSSSLOT/.test(message)) {
    return 'CROSSSLOT: on a cluster, keys used together must share a {hash tag}, e.g. "app:{user42}:a" and "app:{user42}:b".';
  }
  // A script of the kit calling what the user may not: Redis names it "ACL failure in script".
  if (/^NOPERM|ACL failure in script|^EXECABORT.*NOPERM/.test(message)) {
    return `NOPERM: the Redis user this server connects as may not do this (${message}). It is probably a read-only ACL user.`;
  }
  if (/^READONLY/.test(message)) {
    return 'READONLY: this server is a replica; connect the MCP server to the primary to write.';
  }
  if (/^NOGROUP/.test(message)) return `${message} (create it first: stream op group_create)`;
  // ioredis times out queued commands while it reconnects too: only a connected client's timeout is slowness.
  if (COMMAND_TIMEOUT.test(message) && ctx.redis.status === 'ready') {
    const deadline = ctx.commandTimeoutMs ? ` within ${ctx.commandTimeoutMs} ms (--command-timeout-ms)` : '';
    return `timed out: Redis at ${describeClient(ctx.redis)} did not answer${deadline}. The command may be slow (a big key) or the server busy; ask for less, retry, or raise --command-timeout-ms.`;
  }
  if (CONNECTION_ERROR.test(message) || COMMAND_TIMEOUT.test(message)) {
    return `Redis at ${describeClient(ctx.redis)} is unreachable (${message}). The server reconnects by itself; retry shortly.`;
  }
  return message;
}

export async function errorResult(error: unknown, ctx: ErrorContext): Promise<CallToolResult> {
  return { content: [{ type: 'text', text: await explainError(error, ctx) }], isError: true };
}
