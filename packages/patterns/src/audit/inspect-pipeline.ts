/**
 * Inspection with pipelined commands, in two round trips: TYPE, PTTL and MEMORY USAGE … SAMPLES n for every key,
 * then the element count of each collection. When the user may not run MEMORY USAGE (a NOPERM reply), the
 * audit switches to estimates: key length + STRLEN for strings, key length + one byte per element (a lower
 * bound) for collections.
 */
import type { Redis } from 'ioredis';
import { isNoPerm } from '../capabilities.ts';
import { AuditPermissionError, execPipeline, type InspectOptions, type Measured } from './inspection.ts';
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
  const first = node.pipeline();
  for (const key of keys) {
    first.type(key).pttl(key);
    if (state.memoryUsage) first.call('MEMORY', 'USAGE', key, 'SAMPLES', String(state.memorySamples));
  }
  const stride = state.memoryUsage ? 3 : 2;
  const replies = await execPipeline(first, options);
  if (state.memoryUsage && replies.some(([error], i) => i % 3 === 2 && isNoPerm(error))) state.memoryUsage = false;

  const records: KeyRecord[] = [];
  let vanished = 0;
  for (const [i, key] of keys.entries()) {
    const [typeError, type] = replies[i * stride] ?? [null, 'none'];
    if (typeError) {
      if (isNoPerm(typeError)) {
        throw new AuditPermissionError(`${typeError.message}: the audit needs TYPE and PTTL (+@read)`);
      }
      throw typeError;
    }
    const ttl = replies[i * stride + 1]?.[1];
    const bytes = stride === 3 ? replies[i * stride + 2]?.[1] : undefined;
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
    const second = node.pipeline();
    for (const record of counted) second.call(LENGTH_COMMAND[record.type] ?? 'STRLEN', record.key);
    const lengths = await execPipeline(second, options);
    for (const [i, record] of counted.entries()) {
      record.length = Number(lengths[i]?.[1] ?? 0);
      if (estimate) record.bytes += record.length;
    }
  }
  return { records, vanished };
}
