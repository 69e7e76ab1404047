/**
 * Inspection with pipelined commands, in two round trips: TYPE, PTTL and MEMORY USAGE … SAMPLES n for every key,
 * then the element count of each collection. When the user may not run MEMORY USAGE (a NOPERM reply), the
 * audit switches to estimates: key length + STRLEN for strings, key length + one byte per element (a lower
 * bound) for collections.
 */
import type { Redis } from 'ioredis';
import { isNoPerm } from '../capabilities.ts';
import { type Command, command, withKeys } from '../cluster/batch.ts';
import { AuditPermissionError, type InspectOptions, type Measured, sendCounted } from './inspection.ts';
import type { KeyRecord } from './types.ts';

/** The element-count command of each collection type. */
export const LENGTH_COMMAND: Record<string, string> = {
  hash: 'HLEN',
  list: 'LLEN',
  set: 'SCARD',
  zset: 'ZCARD',
  stream: 'XLEN',
  vectorset: 'VCARD',
};

export async function measureWithPipeline(node: Redis, keys: string[], options: InspectOptions): Promise<Measured> {
  const { state } = options;
  const first: Command[] = [];
  for (const key of keys) {
    first.push(command('TYPE', key), command('PTTL', key));
    if (state.memoryUsage) first.push(withKeys('MEMORY', ['USAGE', key, 'SAMPLES', state.memorySamples], [1]));
  }
  const stride = state.memoryUsage ? 3 : 2;
  const replies = await sendCounted(node, first, options);
  if (state.memoryUsage && replies.some((reply, i) => i % 3 === 2 && isNoPerm(reply))) state.memoryUsage = false;

  const records: KeyRecord[] = [];
  let vanished = 0;
  for (const [i, key] of keys.entries()) {
    const type = replies[i * stride] ?? 'none';
    if (type instanceof Error) {
      if (isNoPerm(type)) throw new AuditPermissionError(`${type.message}: the audit needs TYPE and PTTL (+@read)`);
      throw type;
    }
    const ttl = replies[i * stride + 1];
    const bytes = stride === 3 ? replies[i * stride + 2] : undefined;
    // The key expired or was deleted between SCAN and TYPE.
    if (type === 'none' || ttl === -2 || (state.memoryUsage && bytes === null)) {
      vanished++;
      continue;
    }
    const size = typeof bytes === 'number' ? bytes : Buffer.byteLength(key);
    records.push({ key, type: String(type), ttlMs: Number(ttl), bytes: size });
  }

  // The element count of each collection; with estimated sizes, the STRLEN of each string too.
  const estimate = !state.memoryUsage;
  const counted = records.filter((r) => LENGTH_COMMAND[r.type] || (estimate && r.type === 'string'));
  if (counted.length) {
    const second = counted.map((record) => command(LENGTH_COMMAND[record.type] ?? 'STRLEN', record.key));
    const lengths = await sendCounted(node, second, options);
    for (const [i, record] of counted.entries()) {
      const length = lengths[i];
      record.length = typeof length === 'number' ? length : 0;
      if (estimate) record.bytes += record.length;
    }
  }
  return { records, vanished };
}
