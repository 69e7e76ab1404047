/**
 * Inspection with a read-only Lua script: for each key of a slice, TYPE, PTTL, MEMORY USAGE … SAMPLES n and the
 * element count of a collection, returned as one flat array. `no-writes` makes the server refuse any write.
 * The keys travel in ARGV, not KEYS: a cluster refuses declared keys of several slots (CROSSSLOT) before the
 * script runs, while `allow-cross-slot-keys` lets the script itself read keys of several slots on one node
 * (every key comes from SCAN on that node, so all are local). A slice is at most SCRIPT_SLICE keys, so one
 * call's server time stays well under a millisecond (MEMORY USAGE samples a bounded number of elements). When the user may not run scripts, or the server refuses them, the audit falls
 * back to pipelined commands (returns undefined) and says so.
 */
import type { Redis } from 'ioredis';
import { type Command, keyless } from '../cluster/batch.ts';
import { LuaScript } from '../lua-script.ts';
import { LENGTH_COMMAND } from './inspect-pipeline.ts';
import { type InspectOptions, type Measured, sendCounted } from './inspection.ts';
import type { KeyRecord } from './types.ts';

export const SCRIPT_SLICE = 100;

const lengths = Object.entries(LENGTH_COMMAND)
  .map(([type, command]) => `${type} = '${command}'`)
  .join(', ');

/**
 * A LuaScript, so it is one of the kit's own scripts (the MCP server's guard runs no other). Sent with EVAL in a
 * pipeline: an audit is rare, and EVAL needs no NOSCRIPT round trip.
 */
const INSPECT = new LuaScript(`#!lua flags=no-writes,allow-cross-slot-keys
local lengths = { ${lengths} }
local out = {}
for i = 2, #ARGV do
  local key = ARGV[i]
  local keyType = redis.call('TYPE', key)['ok']
  local bytes = false
  local length = false
  if keyType ~= 'none' then
    bytes = redis.call('MEMORY', 'USAGE', key, 'SAMPLES', ARGV[1]) or false
    if lengths[keyType] then length = redis.call(lengths[keyType], key) end
  end
  out[#out + 1] = keyType
  out[#out + 1] = redis.call('PTTL', key)
  out[#out + 1] = bytes
  out[#out + 1] = length
end
return out`);

export async function measureWithScript(
  node: Redis,
  keys: string[],
  options: InspectOptions,
): Promise<Measured | undefined> {
  const { state } = options;
  const calls: Command[] = [];
  // The keys go in ARGV (see above), so to the batch module each call is keyless; `node` is the one to run it.
  for (let at = 0; at < keys.length; at += SCRIPT_SLICE) {
    calls.push(keyless('EVAL', INSPECT.source, 0, state.memorySamples, ...keys.slice(at, at + SCRIPT_SLICE)));
  }
  // Counted as the commands the script runs (about four a key), so the ops cap means the same either way.
  const replies = await sendCounted(node, calls, options, keys.length * 4);
  const failed = replies.find((reply) => reply instanceof Error);
  if (failed instanceof Error) {
    state.scripts = false;
    state.scriptsRefused = failed.message.split('\n')[0];
    return undefined;
  }
  const records: KeyRecord[] = [];
  let vanished = 0;
  const flat = replies.flatMap((reply) => reply as (string | number | null)[]);
  for (const [i, key] of keys.entries()) {
    const [type, ttl, bytes, length] = flat.slice(i * 4, i * 4 + 4);
    if (type === 'none' || ttl === -2 || bytes === null) {
      vanished++;
      continue;
    }
    const record: KeyRecord = { key, type: String(type), ttlMs: Number(ttl), bytes: Number(bytes) };
    if (typeof length === 'number') record.length = length;
    records.push(record);
  }
  return { records, vanished };
}
