/**
 * Where a queue lives: per partition a stream of jobs and one of high-priority jobs, a sorted set and a hash of delayed jobs, a stream of dead
 * letters and one key per idempotency id, all under one hash tag `{<name>:<partition>}` so every script of a
 * partition runs on one cluster slot.
 */

export interface PartitionKeys {
  partition: number;
  /** The jobs, in the order they became runnable (XADD), read by the consumer group. */
  stream: string;
  /** The high-priority jobs: read before `stream`'s, in the same group. */
  high: string;
  /** Both streams, high priority first: the order a worker reads them in. */
  streams: readonly [string, string];
  /** Delayed jobs' tokens scored by the server time (ms) they become due. */
  delayed: string;
  /** Delayed jobs' fields, `<token>|<field>` → value. */
  delayedJobs: string;
  /** Jobs that failed `maxDeliveries` times, with their last error. */
  dead: string;
  /** The key that marks `id` as added within the idempotency window. */
  id(id: string): string;
}

const NAME = /^[\w.-]{1,100}$/;
const PREFIX = /^[^{}\s]{1,100}$/;

export function validateNames(prefix: string, name: string): void {
  if (!NAME.test(name))
    throw new RangeError(`queue name must be 1 to 100 letters, digits, "_", "." or "-", got ${JSON.stringify(name)}`);
  if (!PREFIX.test(prefix))
    throw new RangeError(
      `queue prefix must be 1 to 100 characters without braces or spaces, got ${JSON.stringify(prefix)}`,
    );
}

export function partitionKeys(prefix: string, name: string, partition: number): PartitionKeys {
  const base = `${prefix}:{${name}:${partition}}`;
  const stream = `${base}:jobs`;
  const high = `${base}:jobs:high`;
  return {
    partition,
    stream,
    high,
    streams: [high, stream],
    delayed: `${base}:delayed`,
    delayedJobs: `${base}:delayed-jobs`,
    dead: `${base}:dead`,
    id: (id) => `${base}:id:${id}`,
  };
}

/** The partition an id belongs to (FNV-1a over its UTF-8 bytes): the same id always lands on the same partition. */
export function partitionOf(id: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(id)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}
