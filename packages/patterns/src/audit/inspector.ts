/**
 * Per-key inspection of one SCAN batch on one node, in two pipelined round trips:
 *   1. TYPE, PTTL and MEMORY USAGE key SAMPLES n for every key;
 *   2. the element count of each collection (HLEN, LLEN, SCARD, ZCARD, XLEN, VCARD) and, for the strings a rule
 *      asked about, GETRANGE of the first bytes.
 * When the user may not run MEMORY USAGE (a NOPERM reply), the inspector switches to estimates for the rest of
 * the audit: key length + STRLEN for strings, key length + one byte per element (a lower bound) for collections.
 */
import type { Redis } from 'ioredis';
import { HEAD_BYTES } from './rules/index.ts';
import type { KeyRecord } from './types.ts';

const LENGTH_COMMAND: Record<string, string> = {
  hash: 'HLEN',
  list: 'LLEN',
  set: 'SCARD',
  zset: 'ZCARD',
  stream: 'XLEN',
  vectorset: 'VCARD',
};

/** A command the audit needs is not allowed for this user (an ACL NOPERM reply). */
export class AuditPermissionError extends Error {
  override readonly name = 'AuditPermissionError';
}

export interface InspectorState {
  memorySamples: number;
  /** False once MEMORY USAGE was refused: sizes are estimates from then on. */
  memoryUsage: boolean;
  /** Commands sent, for the report and the ops cap. */
  commands: number;
}

export interface InspectOptions {
  state: InspectorState;
  wantsHead(record: KeyRecord): boolean;
  /** Waits until `ops` more commands fit under the ops/s cap. */
  beforeSend(ops: number): Promise<void>;
}

type Replies = [Error | null, unknown][];

function isNoPerm(error: Error | null): boolean {
  return error !== null && /^NOPERM/.test(error.message);
}

async function exec(pipeline: ReturnType<Redis['pipeline']>, options: InspectOptions): Promise<Replies> {
  const ops = pipeline.length;
  await options.beforeSend(ops);
  options.state.commands += ops;
  return ((await pipeline.exec()) ?? []) as Replies;
}

export async function inspectKeys(
  node: Redis,
  keys: string[],
  options: InspectOptions,
): Promise<{ records: KeyRecord[]; vanished: number }> {
  const { state } = options;
  const first = node.pipeline();
  for (const key of keys) {
    first.type(key).pttl(key);
    if (state.memoryUsage) first.call('MEMORY', 'USAGE', key, 'SAMPLES', String(state.memorySamples));
  }
  const stride = state.memoryUsage ? 3 : 2;
  const replies = await exec(first, options);
  if (state.memoryUsage && replies.some(([error], i) => i % 3 === 2 && isNoPerm(error))) state.memoryUsage = false;

  const records: KeyRecord[] = [];
  let vanished = 0;
  keys.forEach((key, i) => {
    const [typeError, type] = replies[i * stride] ?? [null, 'none'];
    if (typeError) {
      if (isNoPerm(typeError))
        throw new AuditPermissionError(`${typeError.message}: the audit needs TYPE and PTTL (+@read)`);
      throw typeError;
    }
    const [, ttl] = replies[i * stride + 1] ?? [null, -2];
    const [, bytes] = stride === 3 ? (replies[i * stride + 2] ?? [null, null]) : [null, null];
    // The key expired or was deleted between SCAN and TYPE.
    if (type === 'none' || ttl === -2 || (stride === 3 && bytes === null && state.memoryUsage)) {
      vanished++;
      return;
    }
    const size = typeof bytes === 'number' ? bytes : Buffer.byteLength(key);
    records.push({ key, type: String(type), ttlMs: Number(ttl), bytes: size });
  });

  const second = node.pipeline();
  const readers: ((reply: [Error | null, unknown] | undefined) => void)[] = [];
  for (const record of records) {
    const lengthCommand = LENGTH_COMMAND[record.type];
    if (lengthCommand) {
      second.call(lengthCommand, record.key);
      readers.push((reply) => {
        record.length = Number(reply?.[1] ?? 0);
        if (!state.memoryUsage) record.bytes += record.length;
      });
    } else if (record.type === 'string') {
      if (!state.memoryUsage) {
        second.strlen(record.key);
        readers.push((reply) => {
          record.length = Number(reply?.[1] ?? 0);
          record.bytes += record.length;
        });
      }
      if (options.wantsHead(record)) {
        second.getrange(record.key, 0, HEAD_BYTES - 1);
        readers.push((reply) => {
          if (typeof reply?.[1] === 'string') record.head = reply[1];
        });
      }
    }
  }
  if (readers.length) {
    const lengths = await exec(second, options);
    for (const [i, read] of readers.entries()) read(lengths[i]);
  }
  return { records, vanished };
}
