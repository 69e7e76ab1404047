/**
 * `npm run bench -- --compare FILE`: this run's ratios beside an earlier saved run's (a copy of
 * reports/bench/summary.json, or one reports/bench/<id>.<target>.json). A change counts only when the two runs'
 * per-round ranges do not overlap; otherwise the difference is within what the rounds spread.
 */
import { readFileSync } from 'node:fs';
import { type BenchRow, betterOf, formatRatio } from './benchmark.ts';

export interface SavedResult {
  id: string;
  target: string;
  rows: BenchRow[];
}

/** The results in a saved file: a summary (`results`) or a single benchmark record (`rows`). */
export function readSavedRun(file: string): SavedResult[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`--compare ${file}: ${(error as Error).message}`, { cause: error });
  }
  const data = parsed as {
    results?: SavedResult[];
    id?: string;
    target?: { name: string };
    rows?: BenchRow[];
  };
  if (Array.isArray(data.results)) return data.results;
  if (data.id && data.target?.name && Array.isArray(data.rows)) {
    return [{ id: data.id, target: data.target.name, rows: data.rows }];
  }
  throw new Error(`--compare ${file}: not a bench summary.json or <id>.<target>.json record`);
}

export type Change = 'better' | 'worse' | 'within spread' | 'same' | 'new';

export interface RatioChange {
  benchmark: string;
  subject: string;
  metric: string;
  anchor: string;
  before: string;
  now: string;
  change: Change;
}

const rangeOf = (row: BenchRow): [number, number] => row.ratioRange ?? [row.ratio as number, row.ratio as number];

/** Every compared row of `now`, beside the same benchmark, target, subject, metric and anchor in `before`. */
export function compareRuns(before: SavedResult[], now: SavedResult[]): RatioChange[] {
  const out: RatioChange[] = [];
  for (const result of now) {
    const earlier = before.find((b) => b.id === result.id && b.target === result.target);
    for (const row of result.rows) {
      if (row.ratio === undefined || !row.anchor) continue;
      const old = earlier?.rows.find(
        (r) => r.subject === row.subject && r.metric === row.metric && r.anchor === row.anchor && r.ratio !== undefined,
      );
      const base = {
        benchmark: `${result.id} · ${result.target}`,
        subject: row.subject,
        metric: row.metric,
        anchor: row.anchor,
      };
      if (!old) {
        out.push({ ...base, before: '', now: formatRatio(row), change: 'new' });
        continue;
      }
      const [oldLow, oldHigh] = rangeOf(old);
      const [low, high] = rangeOf(row);
      let change: Change;
      if (low > oldHigh) change = betterOf(row) === 'higher' ? 'better' : 'worse';
      else if (high < oldLow) change = betterOf(row) === 'higher' ? 'worse' : 'better';
      else change = old.ratioRange || row.ratioRange ? 'within spread' : 'same';
      out.push({ ...base, before: formatRatio(old), now: formatRatio(row), change });
    }
  }
  return out;
}
