/**
 * A sampled audit's full pass over one node: every key SCAN returns is sized (MEMORY USAGE … SAMPLES n, in a
 * read-only script per slice, paced like the inspection), but only the keys at or over the tail threshold come back,
 * by their index in the slice. So the client learns, at a fraction of a full audit's cost, the exact key count and
 * bytes, the exact set of big keys (the heavy tail, then inspected in full, never estimated), and it draws a simple
 * random sample of the other keys (reservoir sampling) to inspect. Without scripts the sizes are pipelined; when
 * MEMORY USAGE is denied nothing is sized: keys are counted and sampled, and the tail stays unknown.
 *
 * The tail holds at most `maxTail` keys: past that the threshold doubles and the smaller keys rejoin the sampled rest.
 */
import type { Redis } from 'ioredis';
import { isNoPerm } from '../capabilities.ts';
import { withKeys } from '../cluster/batch.ts';
import { LuaScript } from '../lua-script.ts';
import { PIPELINE_SLICE } from './inspect-pipeline.ts';
import { type InspectOptions, runScript, sendCounted } from './inspection.ts';
import { type ByteString, bytesOf } from './key-name.ts';

export interface SizePass {
  /** Keys sized (or only counted, when `sized` is false). */
  keys: number;
  bytes: number;
  /** Keys at or over `threshold` bytes. */
  tail: ByteString[];
  threshold: number;
  /** A simple random sample of the other keys. */
  sample: ByteString[];
  /** False when MEMORY USAGE was denied: no sizes, no tail. */
  sized: boolean;
}

const SIZES = new LuaScript(`#!lua flags=no-writes,allow-cross-slot-keys
-- os.clock() (CPU time, running while TIME is frozen): Redis 8 and Valkey 8 have it, Redis 7.0 has no os library.
local os = rawget(_G, 'os')
local started = os and os.clock() or 0
local threshold = tonumber(ARGV[2])
local out = { 0, 0, 0 }
local count, sum = 0, 0
for i = 3, #ARGV do
  local bytes = redis.call('MEMORY', 'USAGE', ARGV[i], 'SAMPLES', ARGV[1])
  if bytes then
    count = count + 1
    sum = sum + bytes
    if bytes >= threshold then
      out[#out + 1] = i - 2
      out[#out + 1] = bytes
    end
  end
end
out[1] = os and math.floor((os.clock() - started) * 1000000) or -1
out[2] = count
out[3] = sum
return out`);

/** Algorithm R: a uniform sample of `size` items from a stream of unknown length. */
export class Reservoir<T> {
  readonly size: number;
  readonly items: T[] = [];
  private seen = 0;

  constructor(size: number) {
    this.size = size;
  }

  offer(item: T): void {
    this.seen++;
    if (this.items.length < this.size) this.items.push(item);
    else {
      const at = Math.floor(Math.random() * this.seen);
      if (at < this.size) this.items[at] = item;
    }
  }
}

/**
 * Sizes of a slice: the keys that exist, their bytes, and sizes by index in the slice: of every key that exists
 * (`all`), or only of those at or over the threshold (the script's answer).
 */
type SliceSizes = { count: number; bytes: number; sizes: Map<number, number>; all: boolean } | 'denied';

async function sizeWithScript(node: Redis, keys: ByteString[], threshold: number, options: InspectOptions) {
  const args = [options.state.memorySamples, threshold, ...keys.map(bytesOf)];
  const reply = await runScript(node, SIZES, args, options, keys.length);
  if (!reply) return undefined;
  const [cpuMicros, count, bytes, ...big] = reply.map(Number);
  options.pacer.record(keys.length, (cpuMicros ?? 0) / 1000);
  options.state.commandsInScripts += keys.length;
  const sizes = new Map<number, number>();
  for (let i = 0; i < big.length; i += 2) sizes.set((big[i] as number) - 1, big[i + 1] as number);
  return { count: count ?? 0, bytes: bytes ?? 0, sizes, all: false };
}

async function sizeWithPipeline(node: Redis, keys: ByteString[], options: InspectOptions): Promise<SliceSizes> {
  const commands = keys.map((k) =>
    withKeys('MEMORY', ['USAGE', bytesOf(k), 'SAMPLES', options.state.memorySamples], [1]),
  );
  const replies = await sendCounted(node, commands, options);
  if (replies.some(isNoPerm)) return 'denied';
  const sizes = new Map<number, number>();
  let bytes = 0;
  for (const [i, reply] of replies.entries()) {
    if (typeof reply !== 'number') continue;
    sizes.set(i, reply);
    bytes += reply;
  }
  return { count: sizes.size, bytes, sizes, all: true };
}

export async function passSizes(
  node: Redis,
  take: (n: number) => Promise<ByteString[]>,
  options: InspectOptions,
  { threshold: initialThreshold, sampleSize, maxTail }: { threshold: number; sampleSize: number; maxTail: number },
  progress: (keys: number) => void,
): Promise<SizePass> {
  const reservoir = new Reservoir<ByteString>(sampleSize);
  const tail = new Map<ByteString, number>();
  let threshold = initialThreshold;
  let keys = 0;
  let bytes = 0;
  let sized = options.state.memoryUsage;
  for (;;) {
    const slice = await take(options.state.scripts ? options.pacer.size : PIPELINE_SLICE);
    if (!slice.length) break;
    let sizes: SliceSizes | undefined;
    if (sized) {
      sizes = options.state.scripts ? await sizeWithScript(node, slice, threshold, options) : undefined;
      sizes ??= await sizeWithPipeline(node, slice, options);
      if (sizes === 'denied') {
        // Said in the notes (sizes become estimates); the keys held as the tail so far rejoin the sample.
        sized = false;
        options.state.memoryUsage = false;
        for (const key of tail.keys()) reservoir.offer(key);
        tail.clear();
      }
    }
    if (!sized || sizes === undefined || sizes === 'denied') {
      keys += slice.length;
      for (const key of slice) reservoir.offer(key);
      progress(keys);
      continue;
    }
    keys += sizes.count;
    bytes += sizes.bytes;
    for (const [i, key] of slice.entries()) {
      const size = sizes.sizes.get(i);
      if (size !== undefined && size >= threshold) tail.set(key, size);
      // The script names only big keys, so a key without a size is a small one; pipelined, it is a key gone.
      else if (size !== undefined || !sizes.all) reservoir.offer(key);
    }
    while (tail.size > maxTail) {
      threshold *= 2;
      for (const [key, size] of tail) {
        if (size >= threshold) continue;
        tail.delete(key);
        reservoir.offer(key);
      }
    }
    progress(keys);
  }
  return { keys, bytes, tail: [...tail.keys()], threshold, sample: reservoir.items, sized };
}

/**
 * A sampled audit's strata over all masters: the passes' exact counts and tail, or (without a pass) the masters'
 * key counts, and the random sample inspected.
 */
export class SampleStrata {
  /** Keys over all masters (null when a master's count is unknown), and bytes (exact when every pass `sized`). */
  keys: number | null = 0;
  bytes = 0;
  tailKeys = 0;
  /** The highest tail threshold a master ended with. */
  threshold = 0;
  /** Every master was sized by a pass. */
  sized = true;
  /** The samples were drawn during a pass (at random from every key), not from a random cursor. */
  drawnInPass = false;
  /** Keys of the random samples inspected. */
  inspected = 0;
  /** Some master's sample stopped before its keys ran out. */
  cutShort = false;

  add(pass: SizePass): void {
    if (this.keys !== null) this.keys += pass.keys;
    this.bytes += pass.bytes;
    this.tailKeys += pass.tail.length;
    this.threshold = Math.max(this.threshold, pass.threshold);
    this.sized &&= pass.sized;
    this.drawnInPass = true;
  }

  /** A master sampled without a pass: only its key count (DBSIZE, when known and the audit has no MATCH). */
  addUnsized(keys: number | null, cutShort: boolean): void {
    this.keys = this.keys === null || keys === null ? null : this.keys + keys;
    this.sized = false;
    this.cutShort ||= cutShort;
  }

  /** Keys outside the tail: the population the samples were drawn from (null when unknown). */
  get population(): number | null {
    return this.keys === null ? null : this.keys - this.tailKeys;
  }
}
