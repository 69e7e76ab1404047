/**
 * The benchmark registry. Each workflow adds `harness/src/bench/benchmarks/<id>.bench.ts` default-exporting
 * `defineBenchmark({...})`. A benchmark measures its anchor on the same server in the same run, in alternating
 * rounds with the subjects it compares (`alternatingRounds`), and returns rows whose ratios are the median of the
 * per-round ratios with their spread; the runner prints them and writes reports/bench/<id>.<target>.json with the
 * machine and server versions.
 */
import { importAll } from '../discover.ts';
import { join } from 'node:path';
import type { TargetInfo, TargetName } from '../targets/types.ts';

export type Better = 'higher' | 'lower';

export interface BenchRow {
  /** What was measured, e.g. `sliding-window log` or `raw GET (anchor)`. */
  subject: string;
  metric: string;
  /** The median of `rounds` when the row was measured in rounds, else the one figure. */
  value: number;
  unit: string;
  /** Which direction is better for this metric (from the unit unless set): the report's axis and reading. */
  better?: Better;
  /** Each measured round's figure (alternating rounds, warm-up discarded); absent for exact figures (bytes, counts). */
  rounds?: number[];
  /** The anchor row's subject this row is compared with. */
  anchor?: string;
  /** value / anchor: the median of the per-round ratios (each round's pair), or the one ratio of exact figures. */
  ratio?: number;
  /** The lowest and highest per-round ratio: how far the rounds spread. */
  ratioRange?: [number, number];
  /** The goal for the ratio, e.g. `>= 0.9`, and whether this run met it (judged on the median). */
  goal?: string;
  met?: boolean;
}

/** Units where less is better: time, latency, memory, counts of work or calls. */
const LOWER_IS_BETTER = /^(s|ms|µs|bytes|calls|chars|sessions)$|^tokens\b/;

/** The direction of a row: its own, else from its unit (throughput and recall: higher; time and memory: lower). */
export function betterOf(row: Pick<BenchRow, 'better' | 'unit'>): Better {
  return row.better ?? (LOWER_IS_BETTER.test(row.unit) ? 'lower' : 'higher');
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** A row measured in rounds: its value is their median, and the rounds are kept for ratios and the report. */
export function measured(subject: string, metric: string, unit: string, rounds: number[]): BenchRow {
  return { subject, metric, value: median(rounds), unit, rounds };
}

/** At least five measured rounds after one discarded, as the benchmarks' charter asks. */
export const ROUNDS = { warmup: 1, measured: 6 };

/**
 * Alternating rounds: every round runs each subject once, the order reversed every other round (A B C, C B A, …)
 * so no subject always runs first or last; the first `warmup` rounds are discarded. Returns each subject's
 * figures by round, so round i of two subjects is a pair measured moments apart on the same machine.
 */
export async function alternatingRounds<K extends string>(
  subjects: Record<K, () => Promise<number>>,
  options: { warmup?: number; measured?: number; log?: (line: string) => void } = {},
): Promise<Record<K, number[]>> {
  const { warmup = ROUNDS.warmup, measured: count = ROUNDS.measured, log } = options;
  const names = Object.keys(subjects) as K[];
  const out = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < warmup + count; round++) {
    for (const name of round % 2 ? [...names].reverse() : names) {
      const value = await subjects[name]();
      if (round >= warmup) out[name].push(value);
    }
    log?.(`round ${round + 1}/${warmup + count}${round < warmup ? ' (warm-up, discarded)' : ''}`);
  }
  return out;
}

export interface BenchContext {
  target: TargetInfo;
  /** Scales the work: 1 normally, smaller with BENCH_SCALE=0.1 for a quick look. */
  scale: number;
  log(line: string): void;
}

export interface Benchmark {
  id: string;
  title: string;
  /** Targets to run on (default: redis-8 only, so figures compare like with like). */
  targets?: TargetName[];
  run(ctx: BenchContext): Promise<{ rows: BenchRow[]; notes?: string[] }>;
}

export function defineBenchmark(benchmark: Benchmark): Benchmark {
  return benchmark;
}

/**
 * Adds the ratio to the anchor row of the same metric and the goal verdict. Rows measured in the same rounds give
 * one ratio per round: the row's ratio is their median and `ratioRange` their spread. Exact figures (no rounds)
 * give their one ratio.
 */
export function compare(row: BenchRow, anchor: BenchRow, goal?: { min?: number; max?: number }): BenchRow {
  const paired = row.rounds && anchor.rounds && row.rounds.length === anchor.rounds.length && row.rounds.length > 0;
  const ratios = paired
    ? (row.rounds as number[]).map((v, i) => (anchor.rounds?.[i] ? v / (anchor.rounds[i] as number) : Number.NaN))
    : [anchor.value === 0 ? Number.NaN : row.value / anchor.value];
  const ratio = median(ratios);
  const out: BenchRow = { ...row, better: betterOf(row), anchor: anchor.subject, ratio };
  if (paired) out.ratioRange = [Math.min(...ratios), Math.max(...ratios)];
  if (goal) {
    out.goal = [goal.min !== undefined ? `>= ${goal.min}` : '', goal.max !== undefined ? `<= ${goal.max}` : '']
      .filter(Boolean)
      .join(' and ');
    out.met = (goal.min === undefined || ratio >= goal.min) && (goal.max === undefined || ratio <= goal.max);
  }
  return out;
}

/** `0.92 (0.88–0.95)`: a ratio with its spread over the rounds, or the one ratio of exact figures. */
export function formatRatio(row: Pick<BenchRow, 'ratio' | 'ratioRange'>): string {
  if (row.ratio === undefined) return '';
  const two = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '—');
  return row.ratioRange ? `${two(row.ratio)} (${two(row.ratioRange[0])}–${two(row.ratioRange[1])})` : two(row.ratio);
}

/** Runs `op` from `concurrency` loops for `durationMs` and returns operations per second. */
export async function throughput(
  op: (worker: number) => Promise<unknown>,
  concurrency: number,
  durationMs: number,
): Promise<number> {
  let count = 0;
  const deadline = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() < deadline) {
        await op(worker);
        count++;
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const BENCH_DIR = join(import.meta.dirname, 'benchmarks');

export async function loadBenchmarks(dir = BENCH_DIR): Promise<Benchmark[]> {
  return (await importAll<Benchmark>(dir, '.bench.ts')).map((m) => m.value);
}
