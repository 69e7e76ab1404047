/**
 * `npm run matrix`: starts every target, runs every registered workflow suite on each, prints the table,
 * and writes reports/matrix.json and reports/matrix.md. Exits 1 when any check failed.
 */
import { describeCapabilities } from '@redis-agent-kit/patterns';
import { progress } from '../progress.ts';
import { machineInfo, textTable, writeReport } from '../report.ts';
import { startTargets, targetInfo } from '../targets/index.ts';
import { cellSummary, type MatrixReport, renderMarkdown } from './render.ts';
import { type CheckResult, loadSuites, runCheck } from './suite.ts';

const suites = await loadSuites();
const started = await startTargets();
const bar = progress();
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
};

console.log('');
console.log(
  textTable(
    ['target', 'provider', 'server and capabilities'],
    report.targets.map((t) => [t.name, t.provider, describeCapabilities(t.capabilities)]),
  ),
);
console.log('');
if (suites.length === 0) console.log('No workflow suites registered yet.');
else {
  console.log(
    textTable(
      ['workflow', ...report.targets.map((t) => t.name)],
      suites.map((s) => [
        s.id,
        ...report.targets.map((t) =>
          cellSummary(report.results.filter((r) => r.suite === s.id && r.target === t.name)),
        ),
      ]),
    ),
  );
}
const failures = results.filter((r) => r.status === 'fail');
for (const f of failures) console.log(`FAIL ${f.target} · ${f.suite} · ${f.check}: ${f.reason}`);
console.log('');
console.log(`wrote ${writeReport('matrix.json', `${JSON.stringify(report, null, 2)}\n`)}`);
console.log(`wrote ${writeReport('matrix.md', renderMarkdown(report))}`);
process.exitCode = failures.length ? 1 : 0;
