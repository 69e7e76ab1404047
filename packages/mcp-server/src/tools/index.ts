/**
 * The tool-group registry and the named profiles. A group is one file under src/tools default-exporting
 * `defineGroup(...)`; adding one is that file plus one line in GROUPS (as the pattern-backed groups cache,
 * ratelimit, audit and vector do). Profiles name sets of groups, measured in tokens by the benchmark.
 */
import { ConfigError } from '../config.ts';
import type { ToolGroup } from '../tool.ts';
import audit from './audit.ts';
import cache from './cache.ts';
import docs from './docs.ts';
import hashes from './hashes.ts';
import json from './json.ts';
import keys from './keys.ts';
import lists from './lists.ts';
import memory from './memory.ts';
import pubsub from './pubsub.ts';
import queue from './queue.ts';
import ratelimit from './ratelimit.ts';
import server from './server.ts';
import sessions from './sessions.ts';
import sets from './sets.ts';
import streams from './streams.ts';
import strings from './strings.ts';
import vector from './vector.ts';
import zsets from './zsets.ts';

export const GROUPS: readonly ToolGroup[] = [
  keys,
  strings,
  hashes,
  lists,
  sets,
  zsets,
  streams,
  json,
  pubsub,
  sessions,
  cache,
  ratelimit,
  queue,
  memory,
  vector,
  server,
  audit,
  docs,
];

export interface Profile {
  description: string;
  /** Group names, or 'all'. */
  groups: readonly string[] | 'all';
  readOnly?: boolean;
}

export const PROFILES: Record<string, Profile> = {
  default: {
    description: 'keys, strings, hashes, server, docs (small: under 1,000 tokens)',
    groups: ['keys', 'strings', 'hashes', 'server', 'docs'],
  },
  full: { description: 'every group', groups: 'all' },
  read: { description: 'every group, read operations only', groups: 'all', readOnly: true },
  data: {
    description: 'the data types and keys',
    groups: ['keys', 'strings', 'hashes', 'lists', 'sets', 'zsets', 'streams', 'json'],
  },
  app: {
    description: 'the app patterns: sessions, cache, rate limit, vector index',
    groups: ['sessions', 'cache', 'ratelimit', 'vector'],
  },
  ops: {
    description: 'inspection: keys, server, docs, pub/sub listening, key audit (read-only)',
    groups: ['keys', 'server', 'docs', 'pubsub', 'audit'],
    readOnly: true,
  },
};

/** `--tools a,b` wins over `--profile`; unknown names are errors that list the known ones. */
export function resolveGroups(
  tools: string | undefined,
  profile: string | undefined,
  groups: readonly ToolGroup[] = GROUPS,
): { groups: string[]; readOnly: boolean } {
  const known = groups.map((g) => g.name);
  if (tools !== undefined) {
    const names = tools
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    const unknown = names.filter((n) => !known.includes(n));
    if (unknown.length || !names.length) {
      throw new ConfigError(`unknown tool group(s) "${unknown.join(',') || tools}"; known: ${known.join(', ')}`);
    }
    return { groups: known.filter((n) => names.includes(n)), readOnly: false };
  }
  const chosen = PROFILES[profile ?? 'default'];
  if (!chosen) throw new ConfigError(`unknown profile "${profile}"; known: ${Object.keys(PROFILES).join(', ')}`);
  return {
    groups: chosen.groups === 'all' ? known : known.filter((n) => (chosen.groups as readonly string[]).includes(n)),
    readOnly: chosen.readOnly ?? false,
  };
}
