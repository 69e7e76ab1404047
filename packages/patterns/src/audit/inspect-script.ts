/**
 * Inspection with a read-only Lua script: for each key of a slice, TYPE, PTTL, MEMORY USAGE … SAMPLES n and the
 * element count of a collection, returned as one flat array, followed by the script's own CPU time (`os.clock()`,
 * which keeps running inside a script while TIME is frozen) and the number of commands it ran. `no-writes` makes the
 * server refuse any write. The keys travel in ARGV, not KEYS: a cluster refuses declared keys of several slots
 * (CROSSSLOT) before the script runs, while `allow-cross-slot-keys` lets the script itself read keys of several
 * slots on one node (every key comes from SCAN on that node, so all are local). The pacer sizes the slices so one
 * call stays near its target server time. When the user may not run scripts, or the server refuses them, the
 * audit falls back to pipelined commands (returns undefined) and says so.
 */
import type { Redis } from 'ioredis';
import { LuaScript } from '../lua-script.ts';
import { LENGTH_COMMAND } from './inspect-pipeline.ts';
import { type InspectOptions, type Measured, runScript } from './inspection.ts';
import { type ByteString, bytesOf } from './key-name.ts';
import type { KeyRecord } from './types.ts';

const lengths = Object.entries(LENGTH_COMMAND)
  .map(([type, command]) => `${type} = '${command}'`)
  .join(', ');

/**
 * A LuaScript, so it is one of the kit's own scripts (the MCP server's guard runs no other). Called by its SHA1
 * (EVALSHA), and with EVAL once on a node whose script cache does not hold it yet.
 */
const INSPECT = new LuaScript(`#!lua flags=no-writes,allow-cross-slot-keys
-- os.clock() (CPU time, running while TIME is frozen): Redis 8 and Valkey 8 have it, Redis 7.0 has no os library.
local os = rawget(_G, 'os')
local started = os and os.clock() or 0
local lengths = { ${lengths} }
local out = {}
local calls = 0
for i = 2, #ARGV do
  local key = ARGV[i]
  local keyType = redis.call('TYPE', key)['ok']
  local bytes = false
  local length = false
  calls = calls + 2 -- TYPE and PTTL
  if keyType ~= 'none' then
    bytes = redis.call('MEMORY', 'USAGE', key, 'SAMPLES', ARGV[1]) or false
    calls = calls + 1
    if lengths[keyType] then
      length = redis.call(lengths[keyType], key)
      calls = calls + 1
    end
  end
  out[#out + 1] = keyType
  out[#out + 1] = redis.call('PTTL', key)
  out[#out + 1] = bytes
  out[#out + 1] = length
end
out[#out + 1] = os and math.floor((os.clock() - started) * 1000000) or -1
out[#out + 1] = calls
return out`);

/** Fields per key in the script's reply. */
const STRIDE = 4;

export async function measureWithScript(
  node: Redis,
  keys: ByteString[],
  options: InspectOptions,
): Promise<Measured | undefined> {
  const { state } = options;
  // Booked as the commands the script runs (about four a key), so the ops cap means the same either way.
  const reply = await runScript(
    node,
    INSPECT,
    [state.memorySamples, ...keys.map(bytesOf)],
    options,
    keys.length * STRIDE,
  );
  if (!reply) return undefined;
  const flat = reply as (string | number | null)[];
  const [cpuMicros, calls] = flat.slice(keys.length * STRIDE);
  options.pacer.record(keys.length, Number(cpuMicros) / 1000);
  state.commandsInScripts += Number(calls);
  const records: KeyRecord[] = [];
  let vanished = 0;
  for (const [i, key] of keys.entries()) {
    const [type, ttl, bytes, length] = flat.slice(i * STRIDE, i * STRIDE + STRIDE);
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
