/**
 * The one way the kit sends many commands: each command declares where its keys are (as node-redis commands
 * do), so routing is free. A standalone server gets one pipeline per chunk. A cluster cannot take one pipeline
 * across slots (ioredis refuses keys served by different nodes, and would send commands whose key positions it
 * does not know, such as `JSON.*`, to a random node), so commands are grouped by the master that serves their
 * slot and each group is pipelined straight to that node, all groups in parallel. A command whose slot moved
 * meanwhile (MOVED/ASK) is retried alone through the cluster client, which follows the redirect.
 *
 * Bounds: at most `batchSize` commands (default 1000) are in flight per call at once, so one batch never builds
 * an unbounded pipeline or reply in client memory.
 */
import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from '../connection.ts';
import { keySlot } from './key-slot.ts';
import { nodeAddress } from './nodes.ts';

export type CommandArg = string | Buffer | number;

/** A command: its name, its arguments, and which arguments are keys (all in one slot; none for a keyless command). */
export interface Command {
  readonly name: string;
  readonly args: readonly CommandArg[];
  readonly keys: readonly number[];
}

/** A command on one key given as its first argument: `command('SET', key, value, 'PX', 1000)`. */
export function command(name: string, key: string | Buffer, ...rest: CommandArg[]): Command {
  return { name, args: [key, ...rest], keys: [0] };
}

/** A command with no key (`PING`, `SCRIPT LOAD`): any node may answer it. */
export function keyless(name: string, ...args: CommandArg[]): Command {
  return { name, args, keys: [] };
}

/** A command with keys at the given argument positions, e.g. `EVALSHA sha 2 k1 k2 …` is `withKeys('EVALSHA', args, [2, 3])`. */
export function withKeys(name: string, args: readonly CommandArg[], keys: readonly number[]): Command {
  return { name, args, keys };
}

export interface BatchOptions {
  /** Commands sent per round trip (per node on a cluster). Default 1000. */
  batchSize?: number;
  /** Replies as Buffers (binary-safe values and names) instead of strings. */
  buffers?: boolean;
  /** Called after each chunk with the commands done so far. */
  onProgress?: (done: number, total: number) => void;
}

export const BATCH_DEFAULTS = { batchSize: 1000, buffers: false } as const;

/** The slot a command's keys live in, or an Error when they span slots (a cluster would answer CROSSSLOT). */
export function commandSlot(cmd: Command): number | Error | undefined {
  let slot: number | undefined;
  for (const index of cmd.keys) {
    const key = cmd.args[index];
    if (key === undefined) return new Error(`${cmd.name}: no key at argument ${index}`);
    const keyBytes = typeof key === 'number' ? String(key) : key;
    const s = keySlot(keyBytes);
    if (slot !== undefined && s !== slot) {
      return new Error(`CROSSSLOT ${cmd.name}: its keys hash to different slots; give them one {hash tag}`);
    }
    slot = s;
  }
  return slot;
}

/** Sends every command and returns, in command order, each command's reply or its Error. Never throws for one command's error. */
export async function sendBatch(
  client: RedisClient,
  commands: readonly Command[],
  options: BatchOptions = {},
): Promise<unknown[]> {
  const batchSize = Math.max(1, options.batchSize ?? BATCH_DEFAULTS.batchSize);
  const buffers = options.buffers ?? BATCH_DEFAULTS.buffers;
  const replies: unknown[] = [];
  for (let start = 0; start < commands.length; start += batchSize) {
    const chunk = commands.slice(start, start + batchSize);
    replies.push(
      ...(client instanceof Cluster
        ? await onCluster(client, chunk, buffers)
        : await pipelined(client, chunk, buffers)),
    );
    options.onProgress?.(replies.length, commands.length);
  }
  return replies;
}

/** The replies, or the first command's Error thrown. */
export function orThrow(replies: unknown[]): unknown[] {
  const failed = replies.find((reply) => reply instanceof Error);
  if (failed) throw failed;
  return replies;
}

/**
 * The commands in one MULTI/EXEC (all their keys in one slot). Redis does not roll back: a command that fails at run
 * time (WRONGTYPE) does not undo the others, so a caller that must not half-apply checks first or uses one script.
 * Returns the replies; throws the first command's error, or the transaction's (EXECABORT).
 */
export async function sendTransaction(client: RedisClient, commands: readonly Command[]): Promise<unknown[]> {
  const slots = new Set(commands.map(commandSlot).filter((slot) => slot !== undefined));
  for (const slot of slots) if (slot instanceof Error) throw slot;
  if (client instanceof Cluster && slots.size > 1) {
    throw new Error('CROSSSLOT a transaction must keep its keys in one slot; give them one {hash tag}');
  }
  const multi = client.multi();
  for (const cmd of commands) multi.call(cmd.name, ...cmd.args);
  const results = (await multi.exec()) ?? [];
  return orThrow(results.map(([error, reply]) => error ?? reply));
}

function send(connection: Redis | Cluster, cmd: Command, buffers: boolean): Promise<unknown> {
  return (
    buffers ? connection.callBuffer(cmd.name, ...cmd.args) : connection.call(cmd.name, ...cmd.args)
  ) as Promise<unknown>;
}

async function pipelined(
  connection: Redis | Cluster,
  commands: readonly Command[],
  buffers: boolean,
): Promise<unknown[]> {
  if (commands.length === 1) return [await send(connection, commands[0] as Command, buffers).catch(asError)];
  const pipeline = connection.pipeline();
  for (const cmd of commands) {
    if (buffers) pipeline.callBuffer(cmd.name, ...cmd.args);
    else pipeline.call(cmd.name, ...cmd.args);
  }
  // exec() itself rejects only when the whole batch failed (e.g. the connection is gone): every command gets that error.
  const results = (await pipeline.exec().catch((error: unknown) => commands.map(() => [asError(error), null]))) ?? [];
  return commands.map((_, i) => {
    const [error, reply] = results[i] ?? [new Error('no reply')];
    return error ?? reply;
  });
}

const REDIRECTED = /^(MOVED|ASK) /;

async function onCluster(cluster: Cluster, commands: readonly Command[], buffers: boolean): Promise<unknown[]> {
  const nodes = new Map(cluster.nodes('master').map((node) => [nodeAddress(node), node]));
  const replies: unknown[] = new Array(commands.length);
  const groups = new Map<Redis | Cluster, number[]>();
  commands.forEach((cmd, i) => {
    const slot = commandSlot(cmd);
    if (slot instanceof Error) {
      replies[i] = slot;
      return;
    }
    // A keyless command, or no slot table yet: the cluster client routes it itself.
    const node = (slot === undefined ? undefined : nodes.get(cluster.slots[slot]?.[0] ?? '')) ?? cluster;
    const group = groups.get(node);
    if (group) group.push(i);
    else groups.set(node, [i]);
  });
  await Promise.all(
    [...groups].map(async ([node, indexes]) => {
      const answers =
        node === cluster
          ? await Promise.all(indexes.map((i) => send(cluster, commands[i] as Command, buffers).catch(asError)))
          : await pipelined(
              node,
              indexes.map((i) => commands[i] as Command),
              buffers,
            );
      indexes.forEach((commandIndex, j) => {
        replies[commandIndex] = answers[j];
      });
    }),
  );
  await Promise.all(
    replies.map(async (reply, i) => {
      if (reply instanceof Error && REDIRECTED.test(reply.message)) {
        replies[i] = await send(cluster, commands[i] as Command, buffers).catch(asError);
      }
    }),
  );
  return replies;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
