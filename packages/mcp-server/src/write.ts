/**
 * Every tool write that may create a key goes through one script, so that it never damages data:
 * - the key must hold the tool's type or not exist (a `string set` never overwrites a hash; a `list push` onto a
 *   string fails before anything changes);
 * - increments are checked before anything changes (a later field that is not a number leaves the earlier ones as
 *   they were); every other op is one command, which Redis applies whole or not at all;
 * - the TTL rule: a key this call created gets the TTL the call resolved (`ttl`, else `--default-ttl`; none for
 *   `ttl: 0`); a key that existed keeps its TTL, including none. A failed write sets no TTL.
 *
 * A MULTI of the write and its EXPIRE cannot do this: Redis does not roll back, so a write that fails inside it
 * still lets the EXPIRE run. The script is a `LuaScript` of the kit, so the guard lets it run; it runs only the
 * write commands listed in it, whatever arguments it is given.
 */
import { LuaScript } from '@redis-agent-kit/patterns';
import type { CommandArg } from '@redis-agent-kit/patterns/cluster';
import type { ToolContext } from './tool.ts';

/** What TYPE answers for each kind of key the tools write. */
export type KeyType = 'string' | 'hash' | 'list' | 'set' | 'zset' | 'stream' | 'ReJSON-RL';

/** The commands the script runs, each on the key (inserted as its first key argument). */
export type WriteCommand =
  | 'SET'
  | 'INCRBY'
  | 'HSET'
  | 'HINCRBYFLOAT'
  | 'RPUSH'
  | 'LPUSH'
  | 'SADD'
  | 'ZADD'
  | 'ZINCRBY'
  | 'XADD'
  | 'XGROUP CREATE'
  | 'JSON.SET';

const WRITE_SCRIPT = new LuaScript(`local key = KEYS[1]
local existed = redis.call('EXISTS', key) == 1
if existed and redis.call('TYPE', key).ok ~= ARGV[1] then
  return redis.error_reply('WRONGTYPE Operation against a key holding the wrong kind of value')
end
local RUNS = { SET = true, INCRBY = true, HSET = true, HINCRBYFLOAT = true, RPUSH = true, LPUSH = true, SADD = true,
  ZADD = true, ZINCRBY = true, XADD = true, ['XGROUP CREATE'] = true, ['JSON.SET'] = true }
local commands = {}
local at = 3
while at <= #ARGV do
  local name, count = ARGV[at], tonumber(ARGV[at + 1])
  if not RUNS[name] then return redis.error_reply('ERR the write script does not run ' .. tostring(name)) end
  local args = {}
  for i = 1, count do args[i] = ARGV[at + 1 + i] end
  commands[#commands + 1] = { name, args }
  at = at + 2 + count
end
local function finite(n) return n ~= nil and n == n and n ~= math.huge and n ~= -math.huge end
-- Plain decimal numbers only (digits, sign, dot, exponent): a subset of what Redis reads, so what passes here
-- cannot fail there, and a field that fails here fails the whole call before anything changed.
for _, c in ipairs(commands) do
  if c[1] == 'HINCRBYFLOAT' then
    local field, by = c[2][1], tonumber(c[2][2])
    local old = redis.call('HGET', key, field)
    local n = 0
    if old then n = (not string.find(old, '[^%d%+%-%.eE]')) and tonumber(old) or nil end
    if not finite(n) then
      return redis.error_reply('ERR hash field ' .. field .. ' is not a number: nothing was changed')
    end
    if not finite(n + by) then
      return redis.error_reply('ERR increment of hash field ' .. field .. ' would produce NaN or Infinity: nothing was changed')
    end
  end
end
local replies = {}
for i, c in ipairs(commands) do
  local reply
  if c[1] == 'XGROUP CREATE' then
    reply = redis.pcall('XGROUP', 'CREATE', key, unpack(c[2]))
  else
    reply = redis.pcall(c[1], key, unpack(c[2]))
  end
  if type(reply) == 'table' and reply.err then
    if i > 1 then reply.err = reply.err .. ' (after ' .. (i - 1) .. ' of ' .. #commands .. ' commands were applied)' end
    return reply
  end
  replies[i] = reply
end
local seconds = tonumber(ARGV[2])
if not existed and seconds > 0 and redis.call('EXISTS', key) == 1 then redis.call('EXPIRE', key, seconds) end
local out = { redis.call('TTL', key) }
for i = 1, #commands do out[i + 1] = replies[i] end
return out`);

export interface WriteResult {
  /** The key's TTL after the write, as TTL answers it (-1: none, -2: the key does not exist). */
  ttl: number;
  /** Each command's reply, in order; `null` for a nil reply (SET NX on an existing key). */
  replies: unknown[];
}

/**
 * Runs `commands` on `key` in the write script. `ttlForNewKey` (seconds, 0 for none) applies only if this call
 * creates the key. A failed command throws its Redis error, and the key is as it was.
 */
export async function writeKey(
  ctx: ToolContext,
  key: string | Buffer,
  type: KeyType,
  ttlForNewKey: number,
  commands: readonly (readonly [WriteCommand, ...CommandArg[]])[],
): Promise<WriteResult> {
  const args: CommandArg[] = [type, ttlForNewKey];
  for (const [name, ...rest] of commands) args.push(name, rest.length, ...rest);
  const [ttl, ...replies] = (await WRITE_SCRIPT.run(ctx.redis, [key], args)) as [number, ...unknown[]];
  return { ttl, replies };
}
