/**
 * Renders matrix results as text (terminal and markdown): short cells (`pass 7`, `FAIL 1/7`, `skip`) so the table
 * fits a terminal; below it, which path ran where (the checks' notes: the strategy or fallback a pattern took, and
 * why checks were skipped, each with the targets it was seen on), then each failure in full. The HTML page renders
 * the same report its own way.
 */
import { CAPABILITY_LABELS, type CapabilityName } from '@redis-agent-kit/patterns';
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

type Result = MatrixReport['results'][number];
export type Table = [head: string[], rows: string[][]];

/** A check for another topology (`topology: 'cluster'` on a single server) does not apply: it counts for nothing. */
const applicable = (r: Result) => !(r.status === 'skip' && r.reason?.startsWith('not run on'));

/** One (workflow, target) cell: `pass 7`, `pass 5 skip 2`, `FAIL 1/7 skip 1`, `skip`, or `—` (not applicable). */
export function cellText(results: Result[]): string {
  const counted = results.filter(applicable);
  if (counted.length === 0) return '—';
  const run = counted.filter((r) => r.status !== 'skip');
  const failed = run.filter((r) => r.status === 'fail');
  const skipped = counted.length - run.length;
  const text = failed.length ? `FAIL ${failed.length}/${run.length}` : run.length ? `pass ${run.length}` : 'skip';
  return skipped && run.length ? `${text} skip ${skipped}` : text;
}

export interface PathNote {
  workflow: string;
  /** What a check noted (the path or fallback it took), or `skipped: <reason>`. */
  note: string;
  /** Where: every target it was seen on. */
  targets: string[];
}

/** Which path ran where, and why checks were skipped: each distinct note of a workflow, with its targets. */
export function pathNotes(report: Pick<MatrixReport, 'targets' | 'suites' | 'results'>): PathNote[] {
  const notes: PathNote[] = [];
  for (const suite of report.suites) {
    for (const target of report.targets) {
      const results = report.results.filter((r) => r.suite === suite.id && r.target === target.name && applicable(r));
      const texts = [
        ...results.filter((r) => r.status !== 'skip').flatMap((r) => r.notes),
        ...results.filter((r) => r.status === 'skip').map((r) => `skipped: ${r.reason ?? 'no reason given'}`),
      ];
      for (const note of new Set(texts)) {
        const known = notes.find((n) => n.workflow === suite.id && n.note === note);
        if (known) known.targets.push(target.name);
        else notes.push({ workflow: suite.id, note, targets: [target.name] });
      }
    }
  }
  return notes;
}

/** `redis-8, redis-cluster`, or `every target`. */
function where(note: PathNote, report: Pick<MatrixReport, 'targets'>): string {
  return note.targets.length === report.targets.length && report.targets.length > 1
    ? 'every target'
    : note.targets.join(', ');
}

/** The notes as lines for the terminal: a workflow, then each note with where it was seen. */
export function pathNoteLines(report: Pick<MatrixReport, 'targets' | 'suites' | 'results'>): string[] {
  const lines: string[] = [];
  for (const suite of report.suites) {
    const notes = pathNotes(report).filter((n) => n.workflow === suite.id);
    if (notes.length) lines.push(suite.id, ...notes.map((n) => `  ${n.note} — ${where(n, report)}`));
  }
  return lines;
}

const CAPABILITIES = Object.keys(CAPABILITY_LABELS) as CapabilityName[];

/** The targets table: each target, its provider, its server and version, and what the probe found. */
export function targetTable(report: Pick<MatrixReport, 'targets'>): Table {
  return [
    ['target', 'provider', 'server', 'capabilities'],
    report.targets.map((t) => {
      const present = CAPABILITIES.filter((c) => t.capabilities[c]).map((c) => CAPABILITY_LABELS[c]);
      return [
        t.name,
        t.provider,
        `${t.capabilities.server} ${t.capabilities.version}${t.cluster ? ` cluster of ${t.nodes.length}` : ''}`,
        present.length ? present.join(', ') : 'none of JSON, search, vector sets, hash field TTL',
      ];
    }),
  ];
}

/** The workflows table (terminal and markdown): a row per suite, a `cellText` per target. */
export function workflowTable(report: Pick<MatrixReport, 'targets' | 'suites' | 'results'>): Table {
  return [
    ['workflow', ...report.targets.map((t) => t.name)],
    report.suites.map((s) => [
      s.id,
      ...report.targets.map((t) => cellText(report.results.filter((r) => r.suite === s.id && r.target === t.name))),
    ]),
  ];
}

export interface Failure {
  title: string;
  reason: string;
}

/** Every failed check, in full: the tables only count them. */
export function failures(report: Pick<MatrixReport, 'results'>): Failure[] {
  return report.results
    .filter((r) => r.status === 'fail')
    .map((r) => ({ title: `${r.target} · ${r.suite} · ${r.check}`, reason: r.reason ?? 'failed' }));
}

/** reports/matrix.md: targets, workflows by target, which path ran where, failures, and the reliability lane. */
export function renderMarkdown(report: MatrixReport): string {
  const notes = pathNotes(report);
  const failed = failures(report);
  const fence = (text: string) => {
    const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
    return ['`'.repeat(longest + 1), text, '`'.repeat(longest + 1)].join('\n');
  };
  const matrix = [
    `# Compatibility matrix`,
    '',
    `${report.date} · provider ${report.provider} (${report.providerReason}) · ${report.machine.cores} cores · node ${report.machine.node}`,
    '',
    markdownTable(...targetTable(report)),
    '',
    report.suites.length ? markdownTable(...workflowTable(report)) : '_No workflow suites registered yet._',
    '',
    ...(notes.length
      ? [
          '## Which path ran where',
          '',
          markdownTable(
            ['workflow', 'path taken, or why skipped', 'targets'],
            notes.map((n) => [n.workflow, n.note, where(n, report)]),
          ),
          '',
        ]
      : []),
    ...(failed.length
      ? ['## Failures', '', ...failed.flatMap((f) => [`### ${f.title}`, '', fence(f.reason), ''])]
      : []),
  ].join('\n');
  return report.reliability ? `${matrix}\n${reliabilityMarkdown(report.reliability)}` : matrix;
}
