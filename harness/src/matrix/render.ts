/** Renders matrix results: a cell per (suite, target), summarising its checks. */
import { describeCapabilities } from '@redis-agent-kit/patterns';
import type { FaultResult } from '../faults/scenario.ts';
import { reliabilityMarkdown } from '../report/reliability.ts';
import { type MachineInfo, markdownTable } from '../report.ts';
import type { TargetInfo } from '../targets/types.ts';
import type { CheckResult } from './suite.ts';

export interface MatrixReport {
  date: string;
  machine: MachineInfo;
  provider: string;
  providerReason: string;
  targets: Omit<TargetInfo, 'pids'>[];
  suites: { id: string; title: string }[];
  results: Omit<CheckResult, 'error'>[];
  /** The reliability lane (`--faults`): each fault scenario on its private servers. */
  reliability?: Omit<FaultResult, 'error'>[];
}

/** `pass 7/7 (JSON codec)`, `fail 1/7: …`, `skip: capability missing: …`. */
export function cellSummary(results: Omit<CheckResult, 'error'>[]): string {
  if (results.length === 0) return '—';
  const run = results.filter((r) => r.status !== 'skip');
  const failed = results.filter((r) => r.status === 'fail');
  const skipped = results.filter((r) => r.status === 'skip');
  const notes = [...new Set(results.flatMap((r) => r.notes))];
  const skipReasons = [...new Set(skipped.map((r) => r.reason))].filter((r) => !r?.startsWith('not run on'));
  if (run.length === 0) return `skip (${skipReasons.join('; ') || 'not applicable'})`;
  let text = failed.length
    ? `FAIL ${failed.length}/${run.length}: ${failed[0]?.check}: ${failed[0]?.reason}`
    : `pass ${run.length}/${run.length}`;
  if (notes.length) text += ` (${notes.join('; ')})`;
  if (skipReasons.length) text += `; skipped: ${skipReasons.join('; ')}`;
  return text;
}

type Table = [head: string[], rows: string[][]];

/** The targets table (terminal and markdown): each target, its provider, its server and capabilities. */
export function targetTable(report: Pick<MatrixReport, 'targets'>): Table {
  return [
    ['target', 'provider', 'server and capabilities'],
    report.targets.map((t) => [t.name, t.provider, describeCapabilities(t.capabilities)]),
  ];
}

/** The workflows table (terminal and markdown): a row per suite, a `cellSummary` per target. */
export function workflowTable(report: Pick<MatrixReport, 'targets' | 'suites' | 'results'>): Table {
  return [
    ['workflow', ...report.targets.map((t) => t.name)],
    report.suites.map((s) => [
      s.id,
      ...report.targets.map((t) => cellSummary(report.results.filter((r) => r.suite === s.id && r.target === t.name))),
    ]),
  ];
}

/** reports/matrix.md: the targets, the workflows by target and, when it ran, the reliability lane. */
export function renderMarkdown(report: MatrixReport): string {
  const matrix = [
    `# Compatibility matrix`,
    '',
    `${report.date} · provider ${report.provider} (${report.providerReason}) · ${report.machine.cores} cores · node ${report.machine.node}`,
    '',
    markdownTable(...targetTable(report)),
    '',
    report.suites.length ? markdownTable(...workflowTable(report)) : '_No workflow suites registered yet._',
    '',
  ].join('\n');
  return report.reliability ? `${matrix}\n${reliabilityMarkdown(report.reliability)}` : matrix;
}
