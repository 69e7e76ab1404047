/**
 * Per-field expiry emulated with separate keys, on a server with hash field TTL (HEXPIRE). The shape: small
 * string keys with a TTL, `<entity>:<id>:<field>`, where the same few field names repeat under many ids
 * (`user:42:name`, `user:42:email`, `user:43:name` …). Id-like last segments (`cache:user:42`) have as many
 * distinct values as keys and do not match; neither does one field per id (`user:42:lock`).
 */
import { type AuditRule, parentOf } from './rule.ts';

/** Strings up to this size look like a field value rather than a document. */
const FIELD_BYTES = 1024;
/** A group is field-like when it has at most this many distinct last segments… */
const MAX_FIELDS = 32;
/** …at least two of them, and at least this many keys per distinct field on average. */
const MIN_KEYS_PER_FIELD = 3;
const MIN_KEYS = 12;
const MAX_GROUPS = 10_000;
const SAMPLE_KEYS = 10;

interface Group {
  keys: number;
  /** Distinct last segments; undefined once there are more than MAX_FIELDS (the group is id-like). */
  fields: Set<string> | undefined;
  samples: string[];
}

export const hashFieldTtlEmulation: AuditRule = {
  id: 'hash-field-ttl-emulation',
  severity: 'warning',
  title: 'Per-field expiry emulated with separate keys where the server has hash field TTL',
  fix:
    'Keep the fields in one hash per entity (HSET user:42 name … email …) and expire fields one by one with ' +
    'HEXPIRE user:42 <seconds> FIELDS n <field …>: one key instead of n, and the fields read together with HGETALL.',
  requires: 'hashFieldTtl',
  reasonWhenMissing: 'the server has no hash field TTL (HEXPIRE), so separate keys are the way to expire fields there',
  start() {
    const groups = new Map<string, Group>();
    return {
      observe(record) {
        const separator = record.separator;
        if (record.type !== 'string' || record.ttlMs < 0 || record.bytes > FIELD_BYTES || !separator) return;
        const parent = parentOf(record.key, separator);
        if (!parent) return;
        // The entity pattern: the parent with its id (last segment) replaced, e.g. user:42:name → user:*.
        const entity = parentOf(parent, separator);
        const pattern = entity ? `${entity}${separator}*${separator}` : `*${separator}`;
        let group = groups.get(pattern);
        if (!group) {
          if (groups.size >= MAX_GROUPS) return;
          group = { keys: 0, fields: new Set(), samples: [] };
          groups.set(pattern, group);
        }
        group.keys++;
        if (group.samples.length < SAMPLE_KEYS) group.samples.push(record.key);
        if (group.fields) {
          group.fields.add(record.key.slice(parent.length + separator.length));
          if (group.fields.size > MAX_FIELDS) group.fields = undefined;
        }
      },
      finish() {
        const matching = [...groups.entries()].filter(
          ([, g]) =>
            g.fields && g.fields.size >= 2 && g.keys >= MIN_KEYS && g.keys >= MIN_KEYS_PER_FIELD * g.fields.size,
        );
        if (!matching.length) return undefined;
        matching.sort((a, b) => b[1].keys - a[1].keys || a[0].localeCompare(b[0]));
        return {
          count: matching.reduce((sum, [, g]) => sum + g.keys, 0),
          keys: matching.flatMap(([, g]) => g.samples).slice(0, SAMPLE_KEYS),
          prefixes: matching.slice(0, 5).map(([pattern, g]) => `${pattern}{${[...(g.fields ?? [])].sort().join(',')}}`),
        };
      },
    };
  },
};
