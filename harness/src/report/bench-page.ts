/**
 * reports/bench.html: every benchmark's rows, and charts of each compared row's ratio to its anchor (measured on
 * the same server in the same run, in alternating rounds: the median and the rounds' min–max) with its goal, one
 * chart for higher-is-better metrics and one for lower-is-better. A pure function of the
 * reports/bench/<id>.<target>.json records.
 */
import { type BenchRow, type Better, betterOf, formatRatio } from '../bench/benchmark.ts';
import type { MachineInfo } from '../report.ts';
import { badge, escapeHtml, formatNumber, htmlList, htmlPage, htmlTable } from './html.ts';
import { parseGoal, ratioChart } from './ratio-chart.ts';

/** One benchmark on one target, as `npm run bench` writes it. */
export interface BenchRecord {
  id: string;
  title: string;
  date: string;
  machine: MachineInfo;
  target: { name: string; provider: string; server: string; version: string };
  scale: number;
  rows: BenchRow[];
  notes: string[];
}

const compared = (rows: BenchRow[]) => rows.filter((r) => r.ratio !== undefined && r.anchor !== undefined);

function goalsBadge(rows: BenchRow[]): string {
  const judged = rows.filter((r) => r.met !== undefined);
  if (judged.length === 0) return badge('none', 'no goal');
  const met = judged.filter((r) => r.met).length;
  return badge(met === judged.length ? 'pass' : 'fail', `${met}/${judged.length} goals met`);
}

function section(record: BenchRecord): string {
  const rows = compared(record.rows);
  const title = `${record.title} · ${record.target.name}`;
  const chartOf = (better: Better) =>
    ratioChart(
      rows
        .filter((r) => betterOf(r) === better)
        .map((r) => {
          const goal = parseGoal(r.goal);
          return {
            label: `${r.subject} (${r.metric})`,
            anchor: r.anchor as string,
            ratio: r.ratio as number,
            ...(r.ratioRange ? { range: r.ratioRange } : {}),
            ...(goal ? { goal } : {}),
            ...(r.met !== undefined ? { met: r.met } : {}),
          };
        }),
      `${title}: ratio to anchor`,
      better,
    );
  const charts = [chartOf('higher'), chartOf('lower')].filter(Boolean);
  const m = record.machine;
  return [
    `<h2 id="${escapeHtml(`${record.id}.${record.target.name}`)}">${escapeHtml(title)} ${goalsBadge(record.rows)}</h2>`,
    `<p class="meta">${escapeHtml(
      `${record.target.server} ${record.target.version} (${record.target.provider}) · ${record.date} · scale ${record.scale} · ${m.cpu}, ${m.cores} cores · node ${m.node}`,
    )}</p>`,
    charts.length
      ? `<figure>${charts.join('\n')}<figcaption>${escapeHtml('Bars: the median of the per-round ratios of the metric to the anchor named under each label (measured in alternating rounds, the first discarded); whiskers: the rounds’ min–max. Dashed line: the anchor (1). Purple triangles: the goal. Green met, red missed, grey no goal.')}</figcaption></figure>`
      : '<p class="muted">No row is compared with an anchor.</p>',
    htmlTable(
      ['subject', 'metric', 'value (median)', 'unit', 'ratio (min–max)', 'vs anchor', 'goal', 'met'],
      record.rows.map((r) => [
        escapeHtml(r.subject),
        escapeHtml(r.metric),
        escapeHtml(formatNumber(r.value)),
        escapeHtml(r.unit),
        escapeHtml(formatRatio(r)),
        escapeHtml(r.anchor ?? ''),
        escapeHtml(r.goal ?? ''),
        r.met === undefined ? '' : r.met ? badge('pass', 'yes') : badge('fail', 'no'),
      ]),
      'rows',
    ),
    htmlList(record.notes),
  ].join('\n');
}

export function renderBenchHtml(records: BenchRecord[]): string {
  const sorted = [...records].sort((a, b) => `${a.id}.${a.target.name}`.localeCompare(`${b.id}.${b.target.name}`));
  const overview = htmlTable(
    ['benchmark', 'target', 'run', 'goals'],
    sorted.map((r) => [
      `<a href="#${escapeHtml(`${r.id}.${r.target.name}`)}">${escapeHtml(r.title)}</a>`,
      escapeHtml(`${r.target.name} (${r.target.server} ${r.target.version})`),
      escapeHtml(`${r.date} · scale ${r.scale}`),
      goalsBadge(r.rows),
    ]),
    'overview',
  );
  const body = [
    '<h1>Benchmarks</h1>',
    '<p class="meta">Each benchmark measures its anchor on the same server in the same run, in alternating rounds (the first discarded); a ratio is the median of the per-round ratios, shown with their min–max, so it travels between machines better than raw figures and says how much to trust it.</p>',
    sorted.length ? overview : '<p class="muted">No benchmark results yet: run <code>npm run bench</code>.</p>',
    ...sorted.map(section),
  ];
  return htmlPage('Benchmarks · redis-agent-kit', body.join('\n'));
}
