/** The reliability section of the matrix reports: one row per fault scenario, with what it measured. */
import type { FaultResult } from '../faults/scenario.ts';
import { markdownTable } from '../report.ts';
import { badge, escapeHtml, formatNumber, htmlList, htmlTable } from './html.ts';

type Reported = Omit<FaultResult, 'error'>;

/** `acknowledged 1,505 · errors 3 · recoverMs 4,002`. */
export function formatNumbers(numbers: Record<string, number>): string {
  return Object.entries(numbers)
    .map(([name, value]) => `${name} ${formatNumber(value)}`)
    .join(' · ');
}

function verdict(r: Reported): string {
  return r.status === 'pass' ? 'pass' : `FAIL: ${r.reason ?? 'unknown'}`;
}

export function reliabilityMarkdown(results: Reported[]): string {
  return [
    '## Reliability (fault injection on private servers)',
    '',
    markdownTable(
      ['scenario', 'workflow', 'fault', 'result', 'numbers', 'notes'],
      results.map((r) => [r.id, r.workflow, r.fault, verdict(r), formatNumbers(r.numbers), r.notes.join('; ')]),
    ),
    '',
  ].join('\n');
}

export function reliabilityHtml(results: Reported[]): string {
  const rows = results.map((r) => [
    `<strong>${escapeHtml(r.title)}</strong><br><code>${escapeHtml(r.id)}</code>`,
    escapeHtml(r.workflow),
    escapeHtml(r.fault),
    r.status === 'pass' ? badge('pass', 'pass') : `${badge('fail', 'fail')}<br>${escapeHtml(r.reason ?? '')}`,
    `<ul class="numbers">${Object.entries(r.numbers)
      .map(([name, value]) => `<li><code>${escapeHtml(name)}</code> ${escapeHtml(formatNumber(value))}</li>`)
      .join('')}</ul>`,
    htmlList(r.notes),
  ]);
  return [
    '<h2 id="reliability">Reliability</h2>',
    '<p class="muted">Each fault scenario runs on private servers it starts itself (never the shared targets), injects its fault, checks the behaviour the workflow promises and records what it measured.</p>',
    htmlTable(['scenario', 'workflow', 'fault', 'result', 'numbers', 'notes'], rows, 'reliability'),
  ].join('\n');
}
