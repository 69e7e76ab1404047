/**
 * A findings rule: it watches every inspected key and, at the end, reports the keys that follow a deprecated or
 * risky pattern and the fix. A rule that only makes sense with a server capability names it in `requires`; on a
 * server without it the rule does not run and the report says why (`reason`).
 */
import type { CapabilityName } from '../../capabilities.ts';
import { parentOf } from '../separators.ts';
import type { Finding, KeyRecord, Severity } from '../types.ts';

export { parentOf };

export interface RuleThresholds {
  largeCollectionLength: number;
  hugeValueBytes: number;
}

export interface RuleRun {
  /** Asked after TYPE/PTTL/MEMORY USAGE: should the inspector read this string's first bytes for the rule? */
  wantsHead?(record: KeyRecord): boolean;
  observe(record: KeyRecord): void;
  finish(): Pick<Finding, 'count' | 'keys' | 'prefixes'> | undefined;
}

export interface AuditRule {
  id: string;
  severity: Severity;
  title: string;
  fix: string;
  requires?: CapabilityName;
  /** Said in the report when `requires` is missing. */
  reasonWhenMissing?: string;
  start(thresholds: RuleThresholds): RuleRun;
}

const SAMPLE_KEYS = 10;
const TOP_PREFIXES = 5;

/** Counts matching keys, keeps the first few as samples and tallies their parents (as `parent:*` patterns). */
export class Matches {
  count = 0;
  private readonly keys: string[] = [];
  private readonly parents = new Map<string, number>();

  add(record: KeyRecord): void {
    this.count++;
    if (this.keys.length < SAMPLE_KEYS) this.keys.push(record.key);
    const parent = parentOf(record.key, record.separator);
    const pattern = `${parent}${record.separator}*`;
    if (parent && (this.parents.has(pattern) || this.parents.size < 1000)) {
      this.parents.set(pattern, (this.parents.get(pattern) ?? 0) + 1);
    }
  }

  result(withPrefixes = true): Pick<Finding, 'count' | 'keys' | 'prefixes'> | undefined {
    if (this.count === 0) return undefined;
    const prefixes = [...this.parents.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, TOP_PREFIXES)
      .map(([pattern]) => pattern);
    return { count: this.count, keys: [...this.keys], ...(withPrefixes && prefixes.length ? { prefixes } : {}) };
  }
}

/** The `start` of a rule that flags each key passing `test` on its own. */
export function eachKey(
  test: (record: KeyRecord, thresholds: RuleThresholds) => boolean,
  withPrefixes = true,
): AuditRule['start'] {
  return (thresholds) => {
    const matches = new Matches();
    return {
      observe(record) {
        if (test(record, thresholds)) matches.add(record);
      },
      finish: () => matches.result(withPrefixes),
    };
  };
}
