/** What the two ways of inspecting keys share: the audit's running state, options and the sender. */
import type { Redis } from 'ioredis';
import { type Command, sendBatch } from '../cluster/batch.ts';
import type { KeyRecord } from './types.ts';

/** A command the audit needs is not allowed for this user (an ACL NOPERM reply). */
export class AuditPermissionError extends Error {
  override readonly name = 'AuditPermissionError';
}

export interface InspectorState {
  memorySamples: number;
  /** False once MEMORY USAGE was refused: sizes are estimates from then on. */
  memoryUsage: boolean;
  /** False when scripts are off or were refused: per-key commands are pipelined instead. */
  scripts: boolean;
  /** Why scripts were given up, for the report's notes. */
  scriptsRefused?: string;
  /** Commands run on the server (inside scripts too), for the report and the ops cap. */
  commands: number;
}

export interface InspectOptions {
  state: InspectorState;
  wantsHead(record: KeyRecord): boolean;
  /** Waits until `ops` more commands fit under the ops/s cap. */
  beforeSend(ops: number): Promise<void>;
}

export interface Measured {
  records: KeyRecord[];
  vanished: number;
}

/**
 * Sends commands to one node through the batch module once their `ops` server-side commands fit under the cap, and
 * counts them. Returns each command's reply or its Error, in order.
 */
export async function sendCounted(
  node: Redis,
  commands: readonly Command[],
  options: InspectOptions,
  ops = commands.length,
): Promise<unknown[]> {
  await options.beforeSend(ops);
  options.state.commands += ops;
  return sendBatch(node, commands);
}
