/** A queue's options checked and filled in with QUEUE_DEFAULTS, shared by the queue and its workers. */
import type { RedisClient } from '../connection.ts';
import { type PartitionKeys, partitionKeys, validateNames } from './keys.ts';
import { QUEUE_DEFAULTS, type QueueOptions } from './options.ts';

export interface QueueSettings {
  client: RedisClient;
  name: string;
  group: string;
  partitions: readonly PartitionKeys[];
  maxPayloadBytes: number;
  idempotencyWindowMs: number;
  deadLetterMaxLen: number;
  commandTimeoutMs: number;
  replicas: number;
}

export function resolveQueueOptions(client: RedisClient, options: QueueOptions): QueueSettings {
  const prefix = options.prefix ?? QUEUE_DEFAULTS.prefix;
  validateNames(prefix, options.name);
  const count = options.partitions ?? QUEUE_DEFAULTS.partitions;
  positiveInteger('partitions', count, 1024);
  const group = options.group ?? QUEUE_DEFAULTS.group;
  if (!/^[\w.-]{1,100}$/.test(group))
    throw new RangeError(`group must be 1 to 100 letters, digits, "_", "." or "-", got ${JSON.stringify(group)}`);
  const settings: QueueSettings = {
    client,
    name: options.name,
    group,
    partitions: Array.from({ length: count }, (_, p) => partitionKeys(prefix, options.name, p)),
    maxPayloadBytes: options.maxPayloadBytes ?? QUEUE_DEFAULTS.maxPayloadBytes,
    idempotencyWindowMs: options.idempotencyWindowMs ?? QUEUE_DEFAULTS.idempotencyWindowMs,
    deadLetterMaxLen: options.deadLetterMaxLen ?? QUEUE_DEFAULTS.deadLetterMaxLen,
    commandTimeoutMs: options.commandTimeoutMs ?? QUEUE_DEFAULTS.commandTimeoutMs,
    replicas: options.replicas ?? QUEUE_DEFAULTS.replicas,
  };
  // 512 MB is the server's own limit on one value.
  positiveInteger('maxPayloadBytes', settings.maxPayloadBytes, 512 * 1024 * 1024);
  positiveInteger('idempotencyWindowMs', settings.idempotencyWindowMs);
  positiveInteger('deadLetterMaxLen', settings.deadLetterMaxLen);
  positiveInteger('commandTimeoutMs', settings.commandTimeoutMs);
  if (!Number.isSafeInteger(settings.replicas) || settings.replicas < 0 || settings.replicas > 100) {
    throw new RangeError(`replicas must be an integer from 0 to 100, got ${settings.replicas}`);
  }
  return settings;
}

/** Throws a RangeError unless `value` is an integer from 1 to `max`. */
export function positiveInteger(name: string, value: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new RangeError(`${name} must be an integer from 1 to ${max}, got ${value}`);
  }
}
