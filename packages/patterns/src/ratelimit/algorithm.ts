/**
 * What each Redis algorithm provides: two Lua scripts on one key (so a cluster routes them by that key), both
 * reading the server's clock (app servers' clocks drift; the scripts read TIME).
 *
 * - `decide` takes KEYS[1] = the id's key and ARGV = limit, window in ms, cost; it consumes `cost` units when
 *   they fit, atomically (concurrent requests can never both take the last unit), and answers
 *   { allowed 0|1, remaining, reset ms, retry-after ms, server time ms }.
 * - `peek` takes the same keys and arguments (cost unused), writes nothing (it is flagged `no-writes`, so the
 *   server refuses any write in it) and answers { remaining, reset ms, ms until one unit is available, server
 *   time ms }.
 */
import type { LuaScript } from '../lua-script.ts';

export const RATE_LIMIT_ALGORITHMS = ['sliding-window-log', 'sliding-window-counter', 'gcra'] as const;
export type RateLimitAlgorithm = (typeof RATE_LIMIT_ALGORITHMS)[number];

export interface AlgorithmScripts {
  readonly decide: LuaScript;
  readonly peek: LuaScript;
}

/** The first line of a peek script: Redis 7+ and Valkey then refuse any write command in it. */
export const READ_ONLY = '#!lua flags=no-writes';

/** The start of every limiter script: its key and arguments, named. */
export const SCRIPT_ARGUMENTS = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window_ms = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
`;
