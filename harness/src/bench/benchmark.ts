/**
 * The benchmark registry. Each workflow adds `harness/src/bench/benchmarks/<id>.bench.ts` default-exporting
 * `defineBenchmark({...})`. A benchmark measures its anchor on the same server in the same run and returns
 * rows; the runner prints them and writes reports/bench/<id>.json with the machine and server versions.
 */
import { importAll } from '../discover.ts';
import { join } from 'node:path';
import type { TargetInfo, TargetName } from '../targets/types.ts';

export interface BenchRow {
  /** What was measured, e.g. `sliding-window log` or `raw GET (anchor)`. */
  subject: string;
  metric: string;
  value: number;
  unit: string;
  /** The anchor row's subject this row is compared with, and the ratio value/anchor. */
  anchor?: string;
  ratio?: number;
  /** The goal for the ratio, e.g. `>= 0.9`, and whether this run met it. */
  goal?: string;
  met?: boolean;
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

/** Adds ratio and goal verdict for a row against the anchor row of the same metric. */
export function compare(row: BenchRow, anchor: BenchRow, goal?: { min?: number; max?: number }): BenchRow {
  const ratio = anchor.value === 0 ? Number.NaN : row.value / anchor.value;
  const out: BenchRow = { ...row, anchor: anchor.subject, ratio };
  if (goal) {
    out.goal = [goal.min !== undefined ? `>= ${goal.min}` : '', goal.max !== undefined ? `<= ${goal.max}` : '']
      .filter(Boolean)
      .join(' and ');
    out.met = (goal.min === undefined || ratio >= goal.min) && (goal.max === undefined || ratio <= goal.max);
  }
  return out;
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
