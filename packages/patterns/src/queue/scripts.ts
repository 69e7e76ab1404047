/**
 * The queue's multi-step operations, each one Lua script on one partition's keys (one hash tag, so one slot):
 * nothing can interleave between a check and the write that depends on it, and a crash never leaves half a move.
 * Every script's work is bounded by a count its caller passes (or by the few ids it is given). Times are the
 * server's (TIME), never a client clock.
 */
import { LUA_NOW_MS, LuaScript } from '../lua-script.ts';

/** The server's clock in ms, and scheduling a job as a delayed one (its fields in the hash, its token in the set). */
const SCHEDULE = `${LUA_NOW_MS}
local function schedule(zset, hash, delay, token, first)
  for i = first, #ARGV, 2 do
    redis.call('HSET', hash, token .. '|' .. ARGV[i], ARGV[i + 1])
  end
  redis.call('ZADD', zset, now_ms() + tonumber(delay), token)
end
`;

/** Is entry `id` pending in `group` and held by `consumer`? (A reclaimed job belongs to its new worker.) */
const OWNED = `
local function owned(stream, group, id, consumer)
  local p = redis.call('XPENDING', stream, group, id, id, 1)
  return #p > 0 and p[1][2] == consumer
end
`;

/**
 * add() with an idempotency id: the id's key is set (NX, expiring after the window) and the job added in one step,
 * so the same id added twice, concurrently or not, is one job. Delayed when ARGV[2] > 0.
 * KEYS: stream, id key, delayed, delayed-jobs. ARGV: window ms, delay ms, token, field/value pairs…
 * Returns 1 when added, 0 when the id was already added within the window.
 */
export const ADD_ONCE = new LuaScript(`${SCHEDULE}
if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[1]) then return 0 end
if tonumber(ARGV[2]) > 0 then
  schedule(KEYS[3], KEYS[4], ARGV[2], ARGV[3], 4)
else
  redis.call('XADD', KEYS[1], '*', unpack(ARGV, 4))
end
return 1
`);

/** A delayed add. KEYS: delayed, delayed-jobs. ARGV: delay ms, token, field/value pairs… */
export const ADD_DELAYED = new LuaScript(`${SCHEDULE}
schedule(KEYS[1], KEYS[2], ARGV[1], ARGV[2], 3)
return 1
`);

/** The job fields a delayed job may have (see codec.ts). */
const JOB_FIELDS = `local JOB_FIELDS = { 'p', 'j', 'f', 'q', 'a', 'e' }`;

/**
 * Moves up to ARGV[1] due delayed jobs into their stream (the high one for `q` = `h`), oldest due first.
 * KEYS: delayed, delayed-jobs, stream, high stream. Returns how many moved.
 */
export const PROMOTE_DUE = new LuaScript(`${SCHEDULE}${JOB_FIELDS}
local tokens = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now_ms(), 'LIMIT', 0, tonumber(ARGV[1]))
for _, token in ipairs(tokens) do
  local args, names, target = {}, {}, KEYS[3]
  for _, name in ipairs(JOB_FIELDS) do
    local field = token .. '|' .. name
    names[#names + 1] = field
    local value = redis.call('HGET', KEYS[2], field)
    if value then
      args[#args + 1] = name
      args[#args + 1] = value
      if name == 'q' and value == 'h' then target = KEYS[4] end
    end
  end
  if #args > 0 then redis.call('XADD', target, '*', unpack(args)) end
  redis.call('HDEL', KEYS[2], unpack(names))
  redis.call('ZREM', KEYS[1], token)
end
return #tokens
`);

/**
 * A failed delivery: the job goes to the dead letters (ARGV[4] = 'dead') or back as a delayed job after the backoff,
 * and its entry is acknowledged, all only if this consumer still holds it (else another worker reclaimed it and
 * owns the outcome). KEYS: stream, delayed, delayed-jobs, dead.
 * ARGV: group, consumer, entry id, 'dead'|'retry', delay ms, dead-letter max length, token, field/value pairs…
 * Returns 1, or 0 when the entry was not held by this consumer.
 */
export const FAIL = new LuaScript(`${SCHEDULE}${OWNED}
if not owned(KEYS[1], ARGV[1], ARGV[3], ARGV[2]) then return 0 end
if ARGV[4] == 'dead' then
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[6], '*', unpack(ARGV, 8))
else
  schedule(KEYS[2], KEYS[3], ARGV[5], ARGV[7], 8)
end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
return 1
`);

/**
 * Takes over up to ARGV[5] entries idle for at least ARGV[3] ms (their worker died or released them), scanning the
 * pending list from cursor ARGV[4]. An entry that would exceed ARGV[6] deliveries goes to the dead letters instead.
 * KEYS: stream, dead. ARGV: group, consumer, min idle ms, cursor, count, max deliveries, dead-letter max length.
 * Returns { next cursor, { { id, fields, delivery count }, … }, dead-lettered count }.
 */
export const RECLAIM = new LuaScript(`
local claimed = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], 'COUNT', ARGV[5])
local out, dead = {}, 0
for _, entry in ipairs(claimed[2]) do
  local id, flat = entry[1], entry[2]
  local count = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)[1][4]
  local before, last, letter = 0, nil, {}
  for i = 1, #flat, 2 do
    local name = flat[i]
    if name == 'a' then before = tonumber(flat[i + 1]) or 0
    elseif name == 'e' then last = flat[i + 1]
    elseif name == 'p' or name == 'j' or name == 'f' or name == 'q' then
      letter[#letter + 1] = name
      letter[#letter + 1] = flat[i + 1]
    end
  end
  if before + count > tonumber(ARGV[6]) then
    local reason = 'its worker stopped responding (idle past visibilityMs)'
    if last then reason = reason .. '; last error: ' .. last end
    letter[#letter + 1] = 'e'
    letter[#letter + 1] = reason
    letter[#letter + 1] = 'd'
    letter[#letter + 1] = before + count - 1
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[7], '*', unpack(letter))
    redis.call('XACK', KEYS[1], ARGV[1], id)
    dead = dead + 1
  else
    out[#out + 1] = { id, flat, count }
  end
end
return { claimed[1], out, dead }
`);

/**
 * Marks running jobs as alive: XCLAIM to the same consumer resets their idle time (JUSTID: the delivery count stays).
 * KEYS: stream. ARGV: group, consumer, entry ids… Returns how many this consumer still held.
 */
export const TOUCH = new LuaScript(`${OWNED}
local held = 0
for i = 3, #ARGV do
  if owned(KEYS[1], ARGV[1], ARGV[i], ARGV[2]) then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    held = held + 1
  end
end
return held
`);

/**
 * Gives jobs back without running them to the end (shutdown): each stays pending but looks idle for ARGV[3] ms, so
 * the next reclaim by any worker takes it at once, and its delivery count is set back to ARGV[i + 1] (a delivery a
 * shutdown cut short does not count). KEYS: stream. ARGV: group, consumer, idle ms, then entry id, count pairs…
 */
export const RELEASE = new LuaScript(`${OWNED}
local released = 0
for i = 4, #ARGV, 2 do
  if owned(KEYS[1], ARGV[1], ARGV[i], ARGV[2]) then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'IDLE', ARGV[3], 'RETRYCOUNT', ARGV[i + 1], 'JUSTID')
    released = released + 1
  end
end
return released
`);

/** Removes the consumer from the group if it holds no pending entry. KEYS: stream. ARGV: group, consumer. */
export const LEAVE = new LuaScript(`
if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) > 0 then return 0 end
redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
return 1
`);

/** Entries one trim removes at most (XTRIM … LIMIT): bounded work per call, ahead of any sane job rate per upkeep. */
export const TRIM_LIMIT = 10_000;

/**
 * Removes consumers that hold nothing and have not been heard from for ARGV[2] ms: those of workers that died (a
 * graceful `close()` leaves the group itself). At most ARGV[3] per call; a live consumer removed by mistake is
 * recreated by its next read, and holds nothing to lose. KEYS: stream. ARGV: group, min idle ms, max removals.
 * "Heard from" is XINFO's `inactive` (Redis 7.2+, Valkey; -1 for a consumer that never read, then its `idle`); before
 * 7.2 only `idle` exists, which a read blocked on an empty stream does not reset, so a live worker would look dead:
 * there nothing is removed.
 */
export const PRUNE_CONSUMERS = new LuaScript(`
local removed = 0
for _, consumer in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local name, pending, idle, inactive
  for i = 1, #consumer, 2 do
    local field = consumer[i]
    if field == 'name' then name = consumer[i + 1]
    elseif field == 'pending' then pending = consumer[i + 1]
    elseif field == 'idle' then idle = consumer[i + 1]
    elseif field == 'inactive' then inactive = consumer[i + 1] end
  end
  if inactive == nil then return 0 end
  -- -1: it never read at all; then the time since it was created (idle) says how long it has been silent.
  if inactive == -1 then inactive = idle end
  if removed < tonumber(ARGV[3]) and pending == 0 and inactive >= tonumber(ARGV[2]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], name)
    removed = removed + 1
  end
end
return removed
`);

/**
 * Trims acknowledged entries: below every group's oldest pending entry and its last delivered one (everything after
 * it is unread), approximately (whole radix-tree nodes) and at most ARGV[1] entries per call. No group, no trim.
 * KEYS: stream. Returns the entries removed.
 */
export const TRIM = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local function before(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, bm = tonumber(am), tonumber(bm)
  if am ~= bm then return am < bm end
  return tonumber(as) < tonumber(bs)
end
local floor = nil
for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local name, last
  for i = 1, #group, 2 do
    if group[i] == 'name' then name = group[i + 1] elseif group[i] == 'last-delivered-id' then last = group[i + 1] end
  end
  local summary = redis.call('XPENDING', KEYS[1], name)
  if summary[1] > 0 and before(summary[2], last) then last = summary[2] end
  if floor == nil or before(last, floor) then floor = last end
end
if floor == nil then return 0 end
return redis.call('XTRIM', KEYS[1], 'MINID', '~', floor, 'LIMIT', ARGV[1])
`);

/**
 * Puts a dead letter back into its stream (the high one for `q` = `h`) as a new job (deliveries from 0) and removes
 * it from the dead letters. KEYS: dead, stream, high stream. ARGV: dead-letter entry id. Returns 1, or 0 when there
 * is no such dead letter.
 */
export const REVIVE = new LuaScript(`
local found = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #found == 0 then return 0 end
local flat, args, target = found[1][2], {}, KEYS[2]
for i = 1, #flat, 2 do
  local name = flat[i]
  if name == 'p' or name == 'j' or name == 'f' or name == 'q' then
    args[#args + 1] = name
    args[#args + 1] = flat[i + 1]
    if name == 'q' and flat[i + 1] == 'h' then target = KEYS[3] end
  end
end
redis.call('XADD', target, '*', unpack(args))
redis.call('XDEL', KEYS[1], ARGV[1])
return 1
`);
