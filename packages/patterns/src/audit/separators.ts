/**
 * How key names split into segments. Teams use `:` most, but also `/` (`api/v1/token/…`), `.` (`metrics.cpu.…`),
 * `|`, `#`, `-`, `_`. Unless the caller names the separators, they are detected from the data: from the first
 * DETECT_KEYS names seen (SCAN returns keys in hash order, so these are a random sample of names), a candidate is
 * used when the keys it would split share their first segments (a namespace), not when every first segment is
 * different (`550e8400-e29b-…` split on `-` is an id, not a namespace); `:` is used wherever it appears, by
 * convention. Each key is split by one separator: the first of the used ones, in order, that occurs in it after its
 * leading separators (`cache:user-42:name` splits on `:` only). Separators at the very start of a key belong to its
 * first segment (`:lead:1` is under `:lead`), so no prefix is ever empty.
 */

/** The candidates, in the order a key's separator is chosen. */
export const SEPARATOR_CANDIDATES = [':', '/', '|', '.', '#', '-', '_'] as const;

/** Names the detection looks at. */
export const DETECT_KEYS = 1000;

/** Where a key's first segment starts: after the separators it begins with. */
function firstSegmentStart(key: string, separators: readonly string[]): number {
  let start = 0;
  while (start < key.length && separators.includes(key[start] as string)) start++;
  return start;
}

/** The first of `separators` that occurs in `key` after its leading separators. */
function firstSeparator(key: string, separators: readonly string[]): string | undefined {
  const start = firstSegmentStart(key, [...separators, ...SEPARATOR_CANDIDATES]);
  for (const separator of separators) if (key.indexOf(separator, start) !== -1) return separator;
  return undefined;
}

export class Separators {
  /** The separators used, in order of preference. */
  readonly list: readonly string[];
  /** Detected from the data, or given by the caller. */
  readonly detected: boolean;

  constructor(list: readonly string[], detected: boolean) {
    this.list = list;
    this.detected = detected;
  }

  /** Detects the separators from a sample of names (byte strings). */
  static detect(names: readonly string[]): Separators {
    const seen = new Map<string, { keys: number; firsts: Set<string> }>();
    for (const name of names) {
      const separator = firstSeparator(name, SEPARATOR_CANDIDATES);
      if (!separator) continue;
      const entry = seen.get(separator) ?? { keys: 0, firsts: new Set() };
      entry.keys++;
      entry.firsts.add(segmentsOf(name, separator)[0] as string);
      seen.set(separator, entry);
    }
    const used = SEPARATOR_CANDIDATES.filter((candidate) => {
      const entry = seen.get(candidate);
      if (!entry) return false;
      return candidate === ':' || (entry.keys >= 2 && entry.firsts.size * 2 <= entry.keys);
    });
    return new Separators(used, true);
  }

  /** The separator `key` is split by, or undefined for a key outside any namespace. */
  of(key: string): string | undefined {
    return firstSeparator(key, this.list);
  }
}

/** A key's segments over `separator`; separators at the very start stay on the first segment. */
export function segmentsOf(key: string, separator: string): string[] {
  let start = 0;
  while (key.startsWith(separator, start)) start += separator.length;
  const segments = key.slice(start).split(separator);
  segments[0] = key.slice(0, start) + segments[0];
  return segments;
}

/** Everything before the key's last segment ('' for a key outside any namespace). */
export function parentOf(key: string, separator: string | undefined): string {
  if (!separator) return '';
  const segments = segmentsOf(key, separator);
  return segments.length > 1 ? segments.slice(0, -1).join(separator) : '';
}

/** Checks separators given by a caller: single ASCII punctuation or space characters. */
export function checkSeparators(text: string): string[] {
  const list = [...new Set(text)];
  if (!list.length || list.some((c) => !/^[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]$/.test(c))) {
    throw new RangeError(`separators must be ASCII punctuation characters such as ":/.|", got "${text}"`);
  }
  return list;
}
