/**
 * Per-key inspection of one SCAN batch on one node: type, TTL, MEMORY USAGE … SAMPLES n and, for collections,
 * the element count. Two ways, picked per audit:
 *   - script (default): a read-only Lua script (`no-writes`) runs TYPE/PTTL/MEMORY USAGE/length for a slice of
 *     at most SCRIPT_SLICE keys, the slices of a batch pipelined. Each script call does bounded work (like one
 *     SCAN call), and the client builds one command per slice instead of three or four per key: this is what
 *     makes the audit as fast as redis-cli.
 *   - pipeline: the same commands pipelined one by one, for users who may not run scripts (read-only ACLs deny
 *     EVAL) and when `useScripts` is false.
 * Then, for the strings a rule asked about, GETRANGE of the first bytes, pipelined.
 */
import type { Redis } from 'ioredis';
import { command } from '../cluster/batch.ts';
import { measureWithPipeline } from './inspect-pipeline.ts';
import { measureWithScript } from './inspect-script.ts';
import { type InspectOptions, type Measured, sendCounted } from './inspection.ts';
import { HEAD_BYTES } from './rules/index.ts';
import type { KeyRecord } from './types.ts';

async function readHeads(node: Redis, records: KeyRecord[], options: InspectOptions): Promise<void> {
  const wanted = records.filter((r) => r.type === 'string' && options.wantsHead(r));
  if (!wanted.length) return;
  const replies = await sendCounted(
    node,
    wanted.map((record) => command('GETRANGE', record.key, 0, HEAD_BYTES - 1)),
    options,
  );
  for (const [i, record] of wanted.entries()) {
    const head = replies[i];
    if (typeof head === 'string') record.head = head;
  }
}

export async function inspectKeys(node: Redis, keys: string[], options: InspectOptions): Promise<Measured> {
  const measured =
    (options.state.scripts ? await measureWithScript(node, keys, options) : undefined) ??
    (await measureWithPipeline(node, keys, options));
  await readHeads(node, measured.records, options);
  return measured;
}
