/**
 * `npm run matrix [-- options]`: starts the targets, runs every registered workflow suite on each, prints the
 * tables (within the terminal's width: short cells, notes and failures below), and writes reports/matrix.json,
 * reports/matrix.md and reports/matrix.html. Exits 1 when any check failed, 2 on a usage error (args.ts has the
 * options). On a REDIS_TARGETS server it removes every key it wrote and refuses destructive checks unless allowed
 * (shared-server.ts).
 */
import { closeClient, connect, progressLine, redactUrl } from '@redis-agent-kit/patterns';
import { selectByIdOrExit } from '../discover.ts';
import { runFaultLane } from '../faults/run.ts';
import { type FaultResult, loadFaultScenarios } from '../faults/scenario.ts';
import { renderMatrixHtml } from '../report/matrix-page.ts';
import { formatNumbers } from '../report/reliability.ts';
import { machineInfo, terminalWidth, textTable, writeReport } from '../report.ts';
import { crashes, startTargets, targetConnection, targetInfo, TargetSelectionError } from '../targets/index.ts';
import { MATRIX_USAGE, parseMatrixArgs, UsageError } from './args.ts';
import { failures, type MatrixReport, pathNoteLines, renderMarkdown, targetTable, workflowTable } from './render.ts';
import { matrixKeyPatterns, removeKeys } from './shared-server.ts';
import { type CheckResult, loadSuites, runCheck } from './suite.ts';

function usageError(message: string): never {
  console.error(`${message}\n\n${MATRIX_USAGE}`);
  process.exit(2);
}

let args: ReturnType<typeof parseMatrixArgs>;
try {
  args = parseMatrixArgs(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) usageError(error.message);
  throw error;
}
if (args.help) {
  console.log(MATRIX_USAGE);
  process.exit(0);
}

const suites = selectByIdOrExit(await loadSuites(), args.only, 'workflow');
const scenarios = selectByIdOrExit(args.faults ? await loadFaultScenarios() : [], args.faults ?? [], 'fault scenario');
// An unknown target name is refused before anything starts.
const started = await startTargets(console.log, { wanted: args.targets }).catch((error: unknown) =>
  error instanceof TargetSelectionError ? usageError(error.message) : Promise.reject(error),
);
const bar = progressLine();
const results: CheckResult[] = [];
const cleanup: string[] = [];
try {
  const total = suites.reduce((n, s) => n + s.checks.length, 0) * started.targets.length;
  for (const target of started.targets) {
    const info = targetInfo(target);
    for (const suite of suites) {
      for (const check of suite.checks) {
        bar.update(`[matrix] ${results.length + 1}/${total} ${target.name} · ${suite.id} · ${check.name}`);
        results.push(await runCheck(suite, check, info, { allowDestructive: args.allowDestructive }));
      }
    }
    if (target.provider === 'url') {
      // What a check left behind (one that failed midway) goes too: the user's server keeps nothing of the run.
      const client = await connect(targetConnection(info));
      try {
        const removed = await removeKeys(client, matrixKeyPatterns(suites.map((s) => s.id)));
        cleanup.push(`${target.name}: removed ${removed} key(s) the checks left under rak:<workflow>:`);
      } finally {
        await closeClient(client);
      }
    }
  }
} finally {
  bar.done();
  await started.stop();
  // A crashed target fails every later check on it with "connection refused"; its own report says why.
  for (const report of crashes) console.error(`[matrix] a target crashed during this run:\n${report}`);
}

let reliability: FaultResult[] | undefined;
if (args.faults) {
  try {
    reliability = await runFaultLane(scenarios, (text) => bar.update(text));
  } finally {
    bar.done();
  }
}

const report: MatrixReport = {
  date: new Date().toISOString(),
  machine: machineInfo(),
  provider: started.provider,
  providerReason: started.reason,
  targets: started.targets.map((t) => {
    const { pids: _pids, ...rest } = targetInfo(t);
    // A REDIS_TARGETS URL may carry a password: the report keeps where, never how to log in.
    return { ...rest, url: redactUrl(rest.url), nodes: rest.nodes.map(redactUrl) };
  }),
  suites: suites.map(({ id, title }) => ({ id, title })),
  results: results.map(({ error: _error, ...rest }) => rest),
  ...(reliability ? { reliability: reliability.map(({ error: _error, ...rest }) => rest) } : {}),
};

const width = terminalWidth();
console.log('');
console.log(textTable(...targetTable(report), width));
console.log('');
if (suites.length === 0) console.log('No workflow suites registered yet.');
else console.log(textTable(...workflowTable(report), width));
const notes = pathNoteLines(report);
if (notes.length) console.log(['', 'Which path ran where, and why checks were skipped:', ...notes].join('\n'));
if (reliability) {
  console.log('');
  console.log(
    textTable(
      ['fault scenario', 'fault', 'result', 'numbers'],
      reliability.map((r) => [r.id, r.fault, r.status, formatNumbers(r.numbers)]),
      width,
    ),
  );
}
for (const line of cleanup) console.log(line);
const failed = failures(report);
for (const f of failed) {
  const lines = f.reason.split('\n');
  console.log(`\nFAIL ${f.title}`);
  for (const line of lines.slice(0, 20)) console.log(`    ${line}`);
  if (lines.length > 20) console.log(`    … ${lines.length - 20} more lines in reports/matrix.md`);
}
const faultFailures = (reliability ?? []).filter((r) => r.status === 'fail');
for (const f of faultFailures) console.log(`\nFAIL fault ${f.id}: ${f.reason}`);
console.log('');
console.log(`wrote ${writeReport('matrix.json', `${JSON.stringify(report, null, 2)}\n`)}`);
console.log(`wrote ${writeReport('matrix.md', renderMarkdown(report))}`);
console.log(`wrote ${writeReport('matrix.html', renderMatrixHtml(report))}`);
process.exitCode = failed.length || faultFailures.length ? 1 : 0;
