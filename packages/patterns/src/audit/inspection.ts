/** What the two ways of inspecting keys share: the audit's running state, options and the sender. */
import { type Redis, ReplyError } from 'ioredis';
import { type Command, type CommandArg, keyless, sendBatch } from '../cluster/batch.ts';
import type { LuaScript } from '../lua-script.ts';
import type { Pacer } from './pacer.ts';
import type { KeyRecord } from './types.ts';

/** A command the audit needs is not allowed for this user (an ACL NOPERM reply), and nothing can stand in for it. */
export class AuditPermissionError extends Error {
  override readonly name = 'AuditPermissionError';
}

/** How a key's TTL is read: PTTL, or what stands in when the user may not run it. */
export type TtlCommand = 'PTTL' | 'TTL' | 'PEXPIRETIME';

export interface InspectorState {
  memorySamples: number;
  /** False once MEMORY USAGE was refused: sizes are estimates from then on. */
  memoryUsage: boolean;
  /** False when scripts are off or were refused: per-key commands are pipelined instead. */
  scripts: boolean;
  /** Why scripts were given up, for the report's notes. */
  scriptsRefused?: string;
  ttlCommand: TtlCommand;
  /** Commands this user may not run, each with what the audit did instead (for the notes). */
  denied: Map<string, string>;
  /** Commands sent to the servers (a script call is one). */
  commands: number;
  /** Commands the inspection scripts ran on the servers, as the scripts counted them. */
  commandsInScripts: number;
}

export interface InspectOptions {
  state: InspectorState;
  pacer: Pacer;
  wantsHead(record: KeyRecord): boolean;
  /** Waits until `ops` more commands fit under the ops/s cap. */
  beforeSend(ops: number): Promise<void>;
  /** `promise`, or an AuditTimeoutError naming this node and `what` once the command deadline passed. */
  deadline<T>(promise: Promise<T>, what: string): Promise<T>;
}

export interface Measured {
  records: KeyRecord[];
  vanished: number;
}

/**
 * Sends commands to one node through the batch module once `ops` commands fit under the cap, within the command
 * deadline, and counts them. Returns each command's reply or the server's error reply, in order; a failure on the
 * client's side (the connection closed, the client's own command timeout) is thrown, never taken for a reply.
 */
export async function sendCounted(
  node: Redis,
  commands: readonly Command[],
  options: InspectOptions,
  { ops = commands.length, buffers = false }: { ops?: number; buffers?: boolean } = {},
): Promise<unknown[]> {
  await options.beforeSend(ops);
  options.state.commands += commands.length;
  const what = `${[...new Set(commands.map((c) => c.name))].join('/')} ×${commands.length}`;
  const replies = await options.deadline(sendBatch(node, commands, { buffers }), what);
  const failure = replies.find((reply) => reply instanceof Error && !(reply instanceof ReplyError));
  // Through the deadline, so the client's own command timeout is said like ours.
  if (failure) await options.deadline(Promise.reject(failure), what);
  return replies;
}

/**
 * Runs one of the audit's read-only scripts on `node` by its SHA1 (EVALSHA), with EVAL once when the node's script
 * cache does not hold it yet. The keys travel in ARGV (see inspect-script.ts). Returns the script's array, or
 * undefined when the server refused the script: scripts are then given up for the rest of the audit, and the
 * reason kept for the notes. `ops` is what the script runs, booked under the ops/s cap.
 */
export async function runScript(
  node: Redis,
  script: LuaScript,
  args: readonly CommandArg[],
  options: InspectOptions,
  ops: number,
): Promise<unknown[] | undefined> {
  let [reply] = await sendCounted(node, [keyless('EVALSHA', script.sha, 0, ...args)], options, { ops });
  if (reply instanceof Error && reply.message.startsWith('NOSCRIPT')) {
    [reply] = await sendCounted(node, [keyless('EVAL', script.source, 0, ...args)], options, { ops });
  }
  if (Array.isArray(reply)) return reply;
  options.state.scripts = false;
  options.state.scriptsRefused = (reply instanceof Error ? reply.message : String(reply)).split('\n')[0];
  return undefined;
}
