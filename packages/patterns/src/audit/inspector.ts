/**
 * Per-key inspection on one node: type, TTL, MEMORY USAGE … SAMPLES n and, for collections, the element count,
 * one slice of keys at a time per node, so a concurrent client's command waits behind at most one short command or
 * burst. Two ways, picked per audit:
 *   - script (default): a read-only Lua script (`no-writes`) runs TYPE/PTTL/MEMORY USAGE/length for the slice:
 *     one command per slice instead of three or four per key, the slice sized by the pacer from the script's
 *     measured CPU time.
 *   - pipeline: the same commands pipelined one by one, for users who may not run scripts (read-only ACLs deny
 *     EVAL) and when `useScripts` is false.
 * Then, for the strings a rule asked about, GETRANGE of the first bytes, pipelined.
 */
import type { Redis } from 'ioredis';
import { command } from '../cluster/batch.ts';
import { measureWithPipeline, PIPELINE_SLICE } from './inspect-pipeline.ts';
import { measureWithScript } from './inspect-script.ts';
import { type InspectOptions, type Measured, sendCounted } from './inspection.ts';
import { type ByteString, byteString, bytesOf } from './key-name.ts';
import { HEAD_BYTES } from './rules/index.ts';
import type { KeyRecord } from './types.ts';

async function readHeads(node: Redis, records: KeyRecord[], options: InspectOptions): Promise<void> {
  const wanted = records.filter((r) => r.type === 'string' && options.wantsHead(r));
  if (!wanted.length) return;
  const replies = await sendCounted(
    node,
    wanted.map((record) => command('GETRANGE', bytesOf(record.key), 0, HEAD_BYTES - 1)),
    options,
    { buffers: true },
  );
  for (const [i, record] of wanted.entries()) {
    const head = replies[i];
    if (Buffer.isBuffer(head)) record.head = byteString(head);
    else if (head instanceof Error && /NOPERM/.test(head.message)) {
      options.state.denied.set('GETRANGE', 'string values were not read, so JSON strings were not looked for');
    }
  }
}

async function inspectSlice(node: Redis, keys: ByteString[], options: InspectOptions): Promise<Measured> {
  const measured =
    (options.state.scripts ? await measureWithScript(node, keys, options) : undefined) ??
    (await measureWithPipeline(node, keys, options));
  await readHeads(node, measured.records, options);
  return measured;
}

/**
 * Inspects keys as `take(n)` hands them out (up to n at a time, none when there are no more), one slice at a time,
 * and calls `done` with each slice's result as it arrives.
 */
export async function inspectKeys(
  node: Redis,
  take: (n: number) => Promise<ByteString[]>,
  options: InspectOptions,
  done: (measured: Measured) => void,
): Promise<void> {
  for (;;) {
    const keys = await take(options.state.scripts ? options.pacer.size : PIPELINE_SLICE);
    if (!keys.length) return;
    done(await inspectSlice(node, keys, options));
  }
}
