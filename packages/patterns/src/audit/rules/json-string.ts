/**
 * JSON objects and arrays kept in plain strings on a server that has JSON documents. Reading a value costs a
 * GETRANGE, so the rule samples: the first few strings under each parent prefix (a namespace holds one kind of
 * value, so a few keys tell), and the finding counts the sampled keys that held JSON.
 */
import { type AuditRule, Matches, parentOf } from './rule.ts';

/** Bytes of a string read to recognise JSON. */
export const HEAD_BYTES = 128;
const HEADS_PER_PARENT = 8;
const MAX_PARENTS = 10_000;

const JSON_START = /^\s*(\{\s*("|\})|\[\s*[[{"\d\-\]tfn])/;

/** Whether a string's first bytes (or the whole of a short one) are a JSON object or array. */
export function looksLikeJson(head: string, complete: boolean): boolean {
  if (!JSON_START.test(head)) return false;
  if (!complete) return true;
  try {
    const value: unknown = JSON.parse(head);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}

export const jsonString: AuditRule = {
  id: 'json-string',
  severity: 'warning',
  title: 'JSON stored as strings where the server has JSON documents',
  fix:
    'Store these as JSON documents (JSON.SET key $ …): fields are read and updated in place (JSON.GET key $.price, ' +
    'JSON.NUMINCRBY) instead of rewriting the whole string, and FT.CREATE … ON JSON can index them.',
  requires: 'json',
  reasonWhenMissing: 'the server has no JSON (JSON.SET), so a JSON string is the right encoding there',
  start() {
    const matches = new Matches();
    const sampledPerParent = new Map<string, number>();
    return {
      wantsHead(record) {
        if (record.type !== 'string') return false;
        const parent = parentOf(record.key, record.separator);
        const seen = sampledPerParent.get(parent);
        if (seen === undefined && sampledPerParent.size >= MAX_PARENTS) return false;
        if ((seen ?? 0) >= HEADS_PER_PARENT) return false;
        sampledPerParent.set(parent, (seen ?? 0) + 1);
        return true;
      },
      observe(record) {
        if (record.head !== undefined && looksLikeJson(record.head, record.head.length < HEAD_BYTES)) {
          matches.add(record);
        }
      },
      finish: () => matches.result(),
    };
  },
};
