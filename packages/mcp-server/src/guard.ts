/**
 * The server's policy, enforced in code rather than only written down:
 * - commands that wipe data, reconfigure, stop or stall the server are refused by the client every tool uses
 *   (no tool sends them, and a future tool cannot either);
 * - a write that creates a key names a TTL (`ttl: 0` says the data is permanent), or gets the configured default TTL
 *   (or is refused); an existing key keeps its TTL (write.ts);
 * - values over the size limit are refused before they reach Redis;
 * - counts are bounded by `maxItems` in every tool's input schema.
 */

import { isKnownScript, scriptSha } from '@redis-agent-kit/patterns';
import type { Limits } from './config.ts';

/** A request the policy refuses; its message says what to do instead. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
}

/** Whole commands refused, with the reason given to the caller. */
const BLOCKED: Record<string, string> = {
  KEYS: 'it blocks the server while it walks every key; use SCAN (the keys tool, op scan)',
  FLUSHALL: 'it deletes every key',
  FLUSHDB: 'it deletes every key of the database',
  SELECT: 'switching databases breaks other users of the connection and clusters have only db 0; use key prefixes',
  SWAPDB: 'it swaps whole databases',
  SHUTDOWN: 'it stops the server',
  DEBUG: 'it can crash or stall the server',
  MONITOR: 'it streams every command and slows the server down',
  REPLICAOF: 'it changes replication',
  SLAVEOF: 'it changes replication',
  FAILOVER: 'it changes the topology',
  SAVE: 'it blocks the server while it writes the whole dataset',
  MIGRATE: 'it moves keys to another server',
  FCALL: 'a function runs code the policy cannot check',
  FCALL_RO: 'a function runs code the policy cannot check',
};

/** Subcommands refused where the command itself is fine (CONFIG GET is allowed, CONFIG SET is not). */
const BLOCKED_SUBCOMMANDS: Record<string, Record<string, string>> = {
  CONFIG: { SET: 'it reconfigures the server', REWRITE: 'it rewrites the config file', RESETSTAT: 'it resets stats' },
  CLUSTER: { RESET: 'it resets the node', FAILOVER: 'it changes the topology', FORGET: 'it changes the topology' },
  SCRIPT: { FLUSH: 'it drops every script', KILL: 'it stops a running script' },
  FUNCTION: {
    FLUSH: 'it drops every function',
    LOAD: 'it installs code',
    DELETE: 'it drops a function',
    RESTORE: 'it installs code',
  },
  CLIENT: { PAUSE: 'it stalls every client of the server', KILL: 'it disconnects other clients' },
  ACL: {
    SETUSER: 'it changes permissions',
    DELUSER: 'it changes permissions',
    LOAD: 'it replaces every user',
    SAVE: 'it rewrites the ACL file',
  },
  MODULE: {
    LOAD: 'it loads code into the server',
    LOADEX: 'it loads code into the server',
    UNLOAD: 'it unloads a module',
  },
};

/**
 * Scripts may run only when the kit itself defined them (a `LuaScript` in the patterns): a script from anywhere
 * else could call any blocked command inside the server, where no client-side check sees it.
 */
const SCRIPT_SOURCE: Record<string, (args: readonly unknown[]) => string | undefined> = {
  EVAL: (args) => (typeof args[0] === 'string' ? scriptSha(args[0]) : undefined),
  EVAL_RO: (args) => (typeof args[0] === 'string' ? scriptSha(args[0]) : undefined),
  EVALSHA: (args) => (typeof args[0] === 'string' ? args[0] : undefined),
  EVALSHA_RO: (args) => (typeof args[0] === 'string' ? args[0] : undefined),
};

/** Throws a PolicyError when `command` (with its first argument as subcommand) is blocked. */
export function assertCommandAllowed(command: string, args: readonly unknown[] = []): void {
  const name = command.toUpperCase();
  const reason = BLOCKED[name];
  if (reason) throw new PolicyError(`${name} is not allowed: ${reason}`);
  const sub =
    typeof args[0] === 'string'
      ? args[0].toUpperCase()
      : Buffer.isBuffer(args[0])
        ? args[0].toString().toUpperCase()
        : '';
  const subReason = BLOCKED_SUBCOMMANDS[name]?.[sub];
  if (subReason) throw new PolicyError(`${name} ${sub} is not allowed: ${subReason}`);
  if (name === 'SCRIPT' && sub === 'LOAD' && !isKnownScript(scriptSha(String(args[1])))) {
    throw new PolicyError('SCRIPT LOAD is not allowed for scripts the kit did not define');
  }
  const script = SCRIPT_SOURCE[name];
  if (script) {
    const sha = script(args);
    if (!sha || !isKnownScript(sha)) throw new PolicyError(`${name} is not allowed for scripts the kit did not define`);
  }
}

/** Every queued command of ioredis' array form, `pipeline([['set', k, v], ['flushall']])`. */
function assertQueuedAllowed(args: readonly unknown[]): void {
  const queued = args[0];
  if (!Array.isArray(queued)) return;
  for (const entry of queued) {
    if (Array.isArray(entry)) assertCommandAllowed(String(entry[0]), entry.slice(1).flat());
  }
}

/** Method names of ioredis whose first argument is the command name. */
const GENERIC = new Set(['call', 'callBuffer', 'send_command']);

/** Methods that send whatever command object they are given. */
const RAW = new Set(['sendCommand']);

function checked(property: string): boolean {
  const upper = property.toUpperCase().replace(/BUFFER$/, '');
  return (
    GENERIC.has(property) ||
    RAW.has(property) ||
    upper in BLOCKED ||
    upper in BLOCKED_SUBCOMMANDS ||
    upper in SCRIPT_SOURCE
  );
}

/**
 * Wraps a client so that blocked commands throw before anything is sent, whether called as a method
 * (`client.keys('*')`, `client.evalBuffer(…)`), generically (`client.call('FLUSHALL')`), as a raw command object
 * (`client.sendCommand(new Command('flushall'))`), inside a pipeline or transaction (chained, or in ioredis' array
 * form), or on a `duplicate()` of the client. ioredis' own SELECT on reconnect is sent by the unwrapped client
 * inside ioredis, so it is not refused.
 */
export function guardClient<T extends object>(client: T): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || typeof value !== 'function') return value;
      if (property === 'pipeline' || property === 'multi') {
        return (...args: unknown[]) => {
          assertQueuedAllowed(args);
          return guardClient(value.apply(target, args));
        };
      }
      if (property === 'duplicate') return (...args: unknown[]) => guardClient(value.apply(target, args));
      const upper = property.toUpperCase().replace(/BUFFER$/, '');
      const generic = GENERIC.has(property);
      if (!checked(property)) {
        // Pipelines chain (`batch.get(a).flushdb()`): a method returning the raw object returns the guarded one.
        return (...args: unknown[]) => {
          const result = value.apply(receiver, args);
          return result === target ? receiver : result;
        };
      }
      return (...args: unknown[]) => {
        if (generic) assertCommandAllowed(String(args[0]), args.slice(1).flat());
        else if (RAW.has(property)) {
          const command = args[0] as { name?: unknown; args?: unknown[] };
          assertCommandAllowed(String(command?.name ?? ''), command?.args ?? []);
        } else assertCommandAllowed(upper, args.flat());
        const result = value.apply(receiver, args);
        return result === target ? receiver : result;
      };
    },
  });
}

export interface TtlArgs {
  /** Seconds; 0 for none (permanent data). */
  ttl?: number | undefined;
}

/**
 * The TTL (seconds; 0 for none) a write gives a key it creates: `ttl` (`ttl: 0`: none), else the configured
 * default. With a default of 0 a write must name one, even one to an existing key, so whether a call is refused
 * never depends on what happens to be stored. An existing key keeps its TTL (see write.ts).
 */
export function ttlForNewKey(args: TtlArgs, limits: Pick<Limits, 'defaultTtl'>): number {
  if (args.ttl !== undefined) {
    if (!Number.isSafeInteger(args.ttl) || args.ttl < 0) {
      throw new PolicyError(`ttl must be whole seconds, 0 for none; got ${args.ttl}`);
    }
    return args.ttl;
  }
  if (limits.defaultTtl > 0) return limits.defaultTtl;
  throw new PolicyError('writes need a TTL: pass ttl (seconds), or ttl: 0 if the data must never expire');
}

/** Refuses a write whose values together exceed the limit (bytes; text counts as UTF-8). */
export function assertValueSize(values: readonly (string | Buffer)[], limits: Pick<Limits, 'maxValueBytes'>): void {
  let total = 0;
  for (const value of values) total += Buffer.byteLength(value);
  if (total > limits.maxValueBytes) {
    throw new PolicyError(
      `value of ${total} bytes exceeds the ${limits.maxValueBytes}-byte limit (--max-value-bytes); store large data elsewhere and keep a reference in Redis`,
    );
  }
}
