/**
 * reports/matrix.html: targets by workflows, each cell pass, fail (with the reason), fallback used (from the
 * checks' notes) or capability missing (named); the targets and what they can do; every check; and the
 * reliability lane when it ran. A pure function of matrix.json.
 */
import { CAPABILITY_LABELS, type CapabilityName } from '@redis-agent-kit/patterns';
import type { MatrixReport } from '../matrix/render.ts';
import { type BadgeKind, badge, escapeHtml, htmlList, htmlPage, htmlTable } from './html.ts';
import { reliabilityHtml } from './reliability.ts';

type Result = MatrixReport['results'][number];

export interface CellVerdict {
  kind: BadgeKind;
  label: string;
  details: string[];
}

const unique = (items: (string | undefined)[]) => [...new Set(items.filter((s): s is string => Boolean(s)))];

/** A note starting with "fallback" marks the path a pattern takes when the server lacks something. */
const isFallback = (note: string) => /^fallback\b/i.test(note);

/** What one (workflow, target) cell says, from its checks' results. */
export function cellVerdict(results: Result[]): CellVerdict {
  if (results.length === 0) return { kind: 'none', label: 'not run', details: [] };
  const run = results.filter((r) => r.status !== 'skip');
  const failed = results.filter((r) => r.status === 'fail');
  const missing = unique(
    results.filter((r) => r.status === 'skip' && r.reason?.startsWith('capability missing')).map((r) => r.reason),
  );
  const notes = unique(results.flatMap((r) => r.notes));
  if (failed.length) {
    return {
      kind: 'fail',
      label: `fail ${failed.length}/${run.length}`,
      details: failed.map((r) => `${r.check}: ${r.reason ?? 'failed'}`),
    };
  }
  if (run.length === 0) {
    return missing.length
      ? { kind: 'missing', label: 'capability missing', details: missing }
      : { kind: 'none', label: 'not applicable', details: [] };
  }
  const skipped = missing.map((m) => `skipped: ${m}`);
  return notes.some(isFallback)
    ? { kind: 'fallback', label: `pass ${run.length}/${run.length} · fallback used`, details: [...notes, ...skipped] }
    : { kind: 'pass', label: `pass ${run.length}/${run.length}`, details: [...notes, ...skipped] };
}

function cellHtml(verdict: CellVerdict): string {
  return `${badge(verdict.kind, verdict.label)}${htmlList(verdict.details)}`;
}

const CAPABILITIES = Object.keys(CAPABILITY_LABELS) as CapabilityName[];

export function renderMatrixHtml(report: MatrixReport): string {
  const resultsOf = (suite: string, target: string) =>
    report.results.filter((r) => r.suite === suite && r.target === target);
  const targetHead = report.targets.map(
    (t) => `${t.name} (${t.capabilities.server} ${t.capabilities.version}${t.cluster ? ', cluster' : ''})`,
  );
  const workflows = report.suites.length
    ? htmlTable(
        ['workflow', ...targetHead],
        report.suites.map((s) => [
          `<strong>${escapeHtml(s.id)}</strong><br><span class="muted">${escapeHtml(s.title)}</span>`,
          ...report.targets.map((t) => cellHtml(cellVerdict(resultsOf(s.id, t.name)))),
        ]),
        'matrix',
      )
    : '<p class="muted">No workflow suites registered yet.</p>';
  const targets = htmlTable(
    ['target', 'provider', 'server', ...CAPABILITIES.map((c) => CAPABILITY_LABELS[c])],
    report.targets.map((t) => [
      `<strong>${escapeHtml(t.name)}</strong>`,
      escapeHtml(t.provider),
      escapeHtml(
        `${t.capabilities.server} ${t.capabilities.version}${t.cluster ? ` · cluster of ${t.nodes.length}` : ''}`,
      ),
      ...CAPABILITIES.map((c) => (t.capabilities[c] ? badge('pass', 'yes') : badge('none', 'no'))),
    ]),
    'targets',
  );
  const checks = report.suites
    .map((s) => {
      const names = unique(report.results.filter((r) => r.suite === s.id).map((r) => r.check));
      const rows = names.map((check) => [
        escapeHtml(check),
        ...report.targets.map((t) => {
          const r = report.results.find((x) => x.suite === s.id && x.target === t.name && x.check === check);
          if (!r) return badge('none', '—');
          const kind: BadgeKind = r.status === 'pass' ? 'pass' : r.status === 'fail' ? 'fail' : 'none';
          return `${badge(kind, r.status)} <span class="muted">${escapeHtml(`${Math.round(r.ms)} ms`)}</span>${htmlList(
            unique([r.status === 'skip' || r.status === 'fail' ? r.reason : undefined, ...r.notes]),
          )}`;
        }),
      ]);
      return `<details><summary>${escapeHtml(`${s.id}: ${names.length} checks`)}</summary>${htmlTable(['check', ...report.targets.map((t) => t.name)], rows, 'checks')}</details>`;
    })
    .join('\n');
  const m = report.machine;
  const failures = report.results.filter((r) => r.status === 'fail').length;
  const body = [
    '<h1>Compatibility matrix</h1>',
    `<p class="meta">${escapeHtml(
      `${report.date} · provider ${report.provider} (${report.providerReason}) · ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB · node ${m.node}`,
    )}</p>`,
    `<p>${failures ? badge('fail', `${failures} failing check(s)`) : badge('pass', 'every check that ran passed')}</p>`,
    `<p class="legend muted">Legend: ${[
      badge('pass', 'pass'),
      badge('fail', 'fail (reason)'),
      badge('fallback', 'fallback used'),
      badge('missing', 'capability missing (named)'),
    ].join(' ')}</p>`,
    '<h2>Workflows by target</h2>',
    workflows,
    '<h2>Targets</h2>',
    targets,
    report.suites.length ? `<h2>Checks</h2>\n${checks}` : '',
    report.reliability ? reliabilityHtml(report.reliability) : '',
  ];
  return htmlPage('Compatibility matrix · redis-agent-kit', body.filter(Boolean).join('\n'));
}
