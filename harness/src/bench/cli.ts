/**
 * `npm run bench [-- id … --compare FILE]`: starts the targets, runs every registered benchmark (or the named
 * ones) on its targets, prints a table per benchmark (ratios as the median of alternating rounds with their
 * min–max) and writes reports/bench/<id>.<target>.json plus reports/bench/summary.json, then reports/bench.html
 * from every result file there (so running one benchmark keeps the others on the page). `--compare FILE` prints
 * this run's ratios beside an earlier saved summary.json. BENCH_SCALE (default 1) scales the work.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeCapabilities } from '@redis-agent-kit/patterns';
import { selectByIdOrExit } from '../discover.ts';
import { type BenchRecord, renderBenchHtml } from '../report/bench-page.ts';
import { machineInfo, REPORTS_DIR, terminalWidth, textTable, writeReport } from '../report.ts';
import { startTargets, targetInfo } from '../targets/index.ts';
import { type BenchRow, formatRatio, loadBenchmarks } from './benchmark.ts';
import { compareRuns, readSavedRun, type SavedResult } from './compare-runs.ts';

const USAGE = `Usage: npm run bench -- [id …] [--compare FILE]

Runs every benchmark (or the named ones) against its anchor on the same server, in alternating rounds, and writes
reports/bench/*.json and reports/bench.html. Ratios are the median of the per-round ratios, with their min–max.

Options:
  --compare FILE   print this run's ratios beside an earlier saved run (a copy of reports/bench/summary.json)
  -h, --help       print this and exit
BENCH_SCALE=0.1 scales the work down for a quick look.`;

/** A figure for the terminal table: `1,234`, `0.93`, empty when absent. */
const fmt = (n: number | undefined) =>
  n === undefined || Number.isNaN(n) ? '' : n >= 100 ? Math.round(n).toLocaleString('en') : n.toFixed(2);

let args: { values: { compare?: string; help?: boolean }; positionals: string[] };
try {
  args = parseArgs({
    options: { compare: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
} catch (error) {
  console.error(`${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (args.values.help) {
  console.log(USAGE);
  process.exit(0);
}
let before: SavedResult[] | undefined;
try {
  before = args.values.compare === undefined ? undefined : readSavedRun(args.values.compare);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const benchmarks = selectByIdOrExit(await loadBenchmarks(), args.positionals, 'benchmark');
const scale = Number(process.env.BENCH_SCALE ?? 1);
// Only the targets the chosen benchmarks run on.
const started = await startTargets(console.log, {
  set: [...new Set(benchmarks.flatMap((b) => b.targets ?? ['redis-8']))],
});
const summary: { id: string; target: string; rows: BenchRow[] }[] = [];
let failed = false;
try {
  for (const benchmark of benchmarks) {
    for (const name of benchmark.targets ?? ['redis-8']) {
      const target = started.targets.find((t) => t.name === name);
      if (!target) continue;
      console.log(`\n== ${benchmark.title} · ${target.name} (${describeCapabilities(target.capabilities)})`);
      try {
        const { rows, notes = [] } = await benchmark.run({
          target: targetInfo(target),
          scale,
          log: (l) => console.log(`   ${l}`),
        });
        console.log(
          textTable(
            ['subject', 'metric', 'value', 'unit', 'ratio (min–max)', 'vs anchor', 'goal', 'met'],
            rows.map((r) => [
              r.subject,
              r.metric,
              fmt(r.value),
              r.unit,
              formatRatio(r),
              r.anchor ?? '',
              r.goal ?? '',
              r.met === undefined ? '' : r.met ? 'yes' : 'NO',
            ]),
            terminalWidth(),
          ),
        );
        for (const note of notes) console.log(`   note: ${note}`);
        const record: BenchRecord = {
          id: benchmark.id,
          title: benchmark.title,
          date: new Date().toISOString(),
          machine: machineInfo(),
          target: {
            name: target.name,
            provider: target.provider,
            server: target.capabilities.server,
            version: target.capabilities.version,
          },
          scale,
          rows,
          notes,
        };
        writeReport(`bench/${benchmark.id}.${target.name}.json`, `${JSON.stringify(record, null, 2)}\n`);
        summary.push({ id: benchmark.id, target: target.name, rows });
      } catch (error) {
        failed = true;
        console.error(`   FAILED: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
} finally {
  await started.stop();
}
console.log(
  `\nwrote ${writeReport('bench/summary.json', `${JSON.stringify({ date: new Date().toISOString(), machine: machineInfo(), scale, results: summary }, null, 2)}\n`)}`,
);
const benchDir = join(REPORTS_DIR, 'bench');
const records = readdirSync(benchDir)
  .filter((f) => f.endsWith('.json') && f !== 'summary.json')
  .map((f) => JSON.parse(readFileSync(join(benchDir, f), 'utf8')) as BenchRecord);
console.log(`wrote ${writeReport('bench.html', renderBenchHtml(records))}`);
if (before) {
  const changes = compareRuns(before, summary);
  console.log(`\nCompared with ${args.values.compare}: a change counts when the two runs' round ranges do not overlap`);
  console.log(
    textTable(
      ['benchmark', 'subject', 'metric', 'vs anchor', 'before', 'now', 'change'],
      changes.map((c) => [c.benchmark, c.subject, c.metric, c.anchor, c.before, c.now, c.change]),
      terminalWidth(),
    ),
  );
}
process.exitCode = failed ? 1 : 0;
