/**
 * `npm run matrix`: starts every target, runs every registered workflow suite on each, prints the table,
 * and writes reports/matrix.json, reports/matrix.md and reports/matrix.html. Exits 1 when any check failed.
 * `--faults` adds the reliability lane: every fault scenario (harness/src/faults/*.fault.ts) on private servers;
 * `--faults=id,id` runs the named ones.
 */
import { progressLine } from '@redis-agent-kit/patterns';
import { selectByIdOrExit } from '../discover.ts';
import { runFaultLane } from '../faults/run.ts';
import { type FaultResult, loadFaultScenarios } from '../faults/scenario.ts';
import { renderMatrixHtml } from '../report/matrix-page.ts';
import { formatNumbers } from '../report/reliability.ts';
import { machineInfo, textTable, writeReport } from '../report.ts';
import { startTargets, targetInfo } from '../targets/index.ts';
import { type MatrixReport, renderMarkdown, targetTable, workflowTable } from './render.ts';
import { type CheckResult, loadSuites, runCheck } from './suite.ts';

const faultsArg = process.argv.slice(2).find((a) => a === '--faults' || a.startsWith('--faults='));
const withFaults = faultsArg !== undefined;
const wantedFaults = faultsArg?.startsWith('--faults=') ? faultsArg.slice('--faults='.length).split(',') : [];
const scenarios = selectByIdOrExit(withFaults ? await loadFaultScenarios() : [], wantedFaults, 'fault scenario');

const suites = await loadSuites();
const started = await startTargets();
const bar = progressLine();
const results: CheckResult[] = [];
try {
  const total = suites.reduce((n, s) => n + s.checks.length, 0) * started.targets.length;
  for (const target of started.targets) {
    const info = targetInfo(target);
    for (const suite of suites) {
      for (const check of suite.checks) {
        bar.update(`[matrix] ${results.length + 1}/${total} ${target.name} · ${suite.id} · ${check.name}`);
        results.push(await runCheck(suite, check, info));
      }
    }
  }
} finally {
  bar.done();
  await started.stop();
}

let reliability: FaultResult[] | undefined;
if (withFaults) {
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
    return rest;
  }),
  suites: suites.map(({ id, title }) => ({ id, title })),
  results: results.map(({ error: _error, ...rest }) => rest),
  ...(reliability ? { reliability: reliability.map(({ error: _error, ...rest }) => rest) } : {}),
};

console.log('');
console.log(textTable(...targetTable(report)));
console.log('');
if (suites.length === 0) console.log('No workflow suites registered yet.');
else console.log(textTable(...workflowTable(report)));
if (reliability) {
  console.log('');
  console.log(
    textTable(
      ['fault scenario', 'fault', 'result', 'numbers'],
      reliability.map((r) => [r.id, r.fault, r.status, formatNumbers(r.numbers)]),
    ),
  );
}
const failures = results.filter((r) => r.status === 'fail');
for (const f of failures) console.log(`FAIL ${f.target} · ${f.suite} · ${f.check}: ${f.reason}`);
const faultFailures = (reliability ?? []).filter((r) => r.status === 'fail');
for (const f of faultFailures) console.log(`FAIL fault ${f.id}: ${f.reason}`);
console.log('');
console.log(`wrote ${writeReport('matrix.json', `${JSON.stringify(report, null, 2)}\n`)}`);
console.log(`wrote ${writeReport('matrix.md', renderMarkdown(report))}`);
console.log(`wrote ${writeReport('matrix.html', renderMatrixHtml(report))}`);
process.exitCode = failures.length || faultFailures.length ? 1 : 0;
