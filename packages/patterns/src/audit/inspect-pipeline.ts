/**
 * Inspection with pipelined commands, in two round trips: TYPE, the TTL and MEMORY USAGE … SAMPLES n for every
 * key of a slice of PIPELINE_SLICE keys, then the element count of each collection. Each command is O(1) on the
 * server (about a microsecond), and a slice's few hundred of them is one short burst.
 *
 * What a user may not run is worked around and said in the notes, never turned into wrong numbers:
 * - MEMORY USAGE: sizes become estimates (key length + STRLEN for strings, key length + one byte per element for
 *   collections, a lower bound);
 * - PTTL: TTL (second precision), then PEXPIRETIME (against this machine's clock); with none of them, the audit
 *   stops with an AuditPermissionError (keys without TTL cannot be told apart);
 * - a collection's length command: that key's length stays unknown.
 * TYPE is required.
 */
import type { Redis } from 'ioredis';
import { isNoPerm } from '../capabilities.ts';
import { type Command, command, withKeys } from '../cluster/batch.ts';
import {
  AuditPermissionError,
  type InspectOptions,
  type InspectorState,
  type Measured,
  sendCounted,
  type TtlCommand,
} from './inspection.ts';
import { type ByteString, bytesOf } from './key-name.ts';
import type { KeyRecord } from './types.ts';

/** Keys per pipelined slice: about 60 commands of a microsecond or so each, so a burst is near 0.05 ms. */
export const PIPELINE_SLICE = 20;

/** The element-count command of each collection type. */
export const LENGTH_COMMAND: Record<string, string> = {
  hash: 'HLEN',
  list: 'LLEN',
  set: 'SCARD',
  zset: 'ZCARD',
  stream: 'XLEN',
  vectorset: 'VCARD',
};

/** Each way to read a TTL, and the next one to try when the user may not run it. */
const TTL_FALLBACK: Record<TtlCommand, TtlCommand | undefined> = {
  PTTL: 'TTL',
  TTL: 'PEXPIRETIME',
  PEXPIRETIME: undefined,
};

/** A TTL reply as milliseconds to live: -1 no TTL, -2 no key. */
function ttlMs(ttlCommand: TtlCommand, reply: number): number {
  if (reply < 0) return reply;
  if (ttlCommand === 'TTL') return reply * 1000;
  if (ttlCommand === 'PEXPIRETIME') return Math.max(0, reply - Date.now());
  return reply;
}

/** Moves to the next way of reading TTLs after a NOPERM, or throws when none is left. */
function fallBackFromTtl(state: InspectorState, refusal: Error): void {
  const next = TTL_FALLBACK[state.ttlCommand];
  if (!next) {
    throw new AuditPermissionError(
      `${refusal.message}: the audit needs PTTL, TTL or PEXPIRETIME to tell keys without TTL; grant +pttl`,
    );
  }
  state.denied.set(
    state.ttlCommand,
    next === 'TTL'
      ? 'TTLs read with TTL (second precision)'
      : "TTLs read with PEXPIRETIME against this machine's clock",
  );
  state.ttlCommand = next;
}

export async function measureWithPipeline(node: Redis, keys: ByteString[], options: InspectOptions): Promise<Measured> {
  const { state } = options;
  const first: Command[] = [];
  const ttlCommand = state.ttlCommand;
  const memoryUsage = state.memoryUsage;
  for (const name of keys) {
    const key = bytesOf(name);
    first.push(command('TYPE', key), command(ttlCommand, key));
    if (memoryUsage) first.push(withKeys('MEMORY', ['USAGE', key, 'SAMPLES', state.memorySamples], [1]));
  }
  const stride = memoryUsage ? 3 : 2;
  const replies = await sendCounted(node, first, options);
  const ttlRefused = replies.find((reply, i) => i % stride === 1 && isNoPerm(reply));
  if (ttlRefused instanceof Error) {
    fallBackFromTtl(state, ttlRefused);
    return measureWithPipeline(node, keys, options);
  }
  if (memoryUsage && replies.some((reply, i) => i % 3 === 2 && isNoPerm(reply))) state.memoryUsage = false;

  const records: KeyRecord[] = [];
  let vanished = 0;
  for (const [i, key] of keys.entries()) {
    const type = replies[i * stride] ?? 'none';
    if (type instanceof Error) {
      if (isNoPerm(type)) throw new AuditPermissionError(`${type.message}: the audit needs TYPE (+@read)`);
      throw type;
    }
    const ttl = replies[i * stride + 1];
    if (ttl instanceof Error) throw ttl;
    const bytes = memoryUsage ? replies[i * stride + 2] : undefined;
    // The key expired or was deleted between SCAN and TYPE.
    if (type === 'none' || ttl === -2 || (memoryUsage && bytes === null)) {
      vanished++;
      continue;
    }
    const size = typeof bytes === 'number' ? bytes : key.length;
    records.push({ key, type: String(type), ttlMs: ttlMs(ttlCommand, Number(ttl)), bytes: size });
  }

  // The element count of each collection; with estimated sizes, the STRLEN of each string too.
  const estimate = !state.memoryUsage;
  const counted = records.filter((r) => LENGTH_COMMAND[r.type] || (estimate && r.type === 'string'));
  if (counted.length) {
    const second = counted.map((record) => command(LENGTH_COMMAND[record.type] ?? 'STRLEN', bytesOf(record.key)));
    const lengths = await sendCounted(node, second, options);
    for (const [i, record] of counted.entries()) {
      const length = lengths[i];
      if (typeof length === 'number') {
        record.length = length;
        if (estimate) record.bytes += length;
      } else if (isNoPerm(length)) {
        const name = second[i]?.name as string;
        state.denied.set(
          name,
          `${name === 'STRLEN' ? 'string sizes count the name only' : 'lengths of those keys are unknown'}`,
        );
      } else if (length instanceof Error) {
        throw length;
      }
    }
  }
  return { records, vanished };
}
