/**
 * A Lua script called by its SHA1 (EVALSHA, so only 40 bytes travel per call) that survives an empty script
 * cache. The script cache is per node and not persisted: after a restart, a failover to a replica that never
 * saw the script, or SCRIPT FLUSH, EVALSHA answers NOSCRIPT. We then send the source once with EVAL, which
 * runs it and caches it on that very node (the one owning the key's slot, so it is right on a cluster too);
 * later calls go back to EVALSHA. No SCRIPT LOAD at startup: on a cluster it would have to reach every node,
 * and it would not help after the next failover anyway.
 */
import { createHash } from 'node:crypto';
import type { RedisClient } from './connection.ts';

/** The SHA1 of every script this process defined: what a guard may let EVAL/EVALSHA run (see `isKnownScript`). */
const known = new Set<string>();

export function scriptSha(source: string): string {
  return createHash('sha1').update(source).digest('hex');
}

/** Whether a script (by its SHA1) was defined by this process's code as a LuaScript, not handed in from outside. */
export function isKnownScript(sha: string): boolean {
  return known.has(sha.toLowerCase());
}

/**
 * `now_ms()`: the server's clock in ms (TIME), for scripts that keep expiry or schedule times. Put it at the start of
 * a script's source; times the kit stores are the server's, never a client's clock.
 */
export const LUA_NOW_MS = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

export class LuaScript {
  readonly source: string;
  readonly sha: string;

  constructor(source: string) {
    this.source = source;
    this.sha = scriptSha(source);
    known.add(this.sha);
  }

  async run(client: RedisClient, keys: readonly (string | Buffer)[], args: readonly ScriptArg[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }

  /** `run` with bulk replies as Buffers, for scripts that return binary values (payloads, member names). */
  async runBuffer(
    client: RedisClient,
    keys: readonly (string | Buffer)[],
    args: readonly ScriptArg[],
  ): Promise<unknown> {
    try {
      return await client.callBuffer('EVALSHA', this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return client.callBuffer('EVAL', this.source, keys.length, ...keys, ...args);
    }
  }
}

/** A script argument: bytes, text (sent as UTF-8) or a number. */
export type ScriptArg = string | Buffer | number;

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
