/**
 * Inline SVG bar charts of benchmark ratios, one chart per direction so a longer bar always reads the same way:
 * higher-is-better metrics (throughput, recall) apart from lower-is-better ones (time, latency, memory). Each bar
 * is a compared row (the median of its per-round ratios to its anchor, which the label names), a whisker spans the
 * rounds' min–max, a dashed line marks 1 (the anchor) and a labelled marker shows the goal. Plain SVG, nothing to
 * load.
 */
import type { Better } from '../bench/benchmark.ts';
import { escapeHtml, formatNumber } from './html.ts';

export interface Goal {
  min?: number;
  max?: number;
}

export interface RatioBar {
  label: string;
  /** The anchor's subject: the bar's label names it. */
  anchor: string;
  ratio: number;
  /** The per-round ratios' min and max, when measured in rounds. */
  range?: [number, number];
  goal?: Goal;
  /** Whether the goal was met; undefined when the row has no goal. */
  met?: boolean;
}

/** Reads the goal text `compare()` writes (`>= 0.9`, `<= 2`, `>= 0.9 and <= 2`) back into numbers. */
export function parseGoal(text: string | undefined): Goal | undefined {
  if (!text) return undefined;
  const goal: Goal = {};
  for (const part of text.split(/\s+and\s+/)) {
    const m = /^(>=|<=)\s*(-?[\d.]+(?:e-?\d+)?)$/.exec(part.trim());
    if (!m) continue;
    if (m[1] === '>=') goal.min = Number(m[2]);
    else goal.max = Number(m[2]);
  }
  return goal.min === undefined && goal.max === undefined ? undefined : goal;
}

const WIDTH = 900;
const LABEL_WIDTH = 340;
const PLOT_WIDTH = 440;
const ROW_HEIGHT = 40;
const BAR_HEIGHT = 14;
const TOP = 28;
const BOTTOM = 26;

const COLORS = { met: '#2da44e', missed: '#cf222e', none: '#8c959f', anchor: '#59636e', goal: '#8250df' };

const HEADINGS: Record<Better, string> = {
  higher: 'higher is better (throughput, recall): past 1 beats the anchor',
  lower: 'lower is better (time, latency, memory): under 1 beats the anchor',
};

/** An SVG chart of the bars of one direction; an empty string when no bar has a finite ratio. */
export function ratioChart(bars: RatioBar[], title: string, better: Better): string {
  const shown = bars.filter((b) => Number.isFinite(b.ratio) && b.ratio >= 0);
  if (shown.length === 0) return '';
  const goalValues = shown.flatMap((b) => [b.goal?.min, b.goal?.max]).filter((v): v is number => v !== undefined);
  const highs = shown.map((b) => (b.range && Number.isFinite(b.range[1]) ? b.range[1] : b.ratio));
  const top = Math.max(1, ...highs, ...goalValues) * 1.15;
  const x = (ratio: number) => LABEL_WIDTH + (Math.min(Math.max(ratio, 0), top) / top) * PLOT_WIDTH;
  const height = TOP + shown.length * ROW_HEIGHT + BOTTOM;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="ratio-chart ${better}" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(`${title}, ${HEADINGS[better]}`)}">`,
    `<title>${escapeHtml(`${title}, ${HEADINGS[better]}`)}</title>`,
    `<text class="heading" x="${LABEL_WIDTH}" y="16" fill="${COLORS.anchor}">${escapeHtml(`ratio to anchor, ${HEADINGS[better]}`)}</text>`,
  ];
  shown.forEach((bar, i) => {
    const y = TOP + i * ROW_HEIGHT;
    const barY = y + 6;
    const color = bar.met === undefined ? COLORS.none : bar.met ? COLORS.met : COLORS.missed;
    const verdict = bar.met === undefined ? '' : bar.met ? ', goal met' : ', goal missed';
    const spread = bar.range ? `, rounds ${formatNumber(bar.range[0])}–${formatNumber(bar.range[1])}` : '';
    const end = bar.range ? Math.max(x(bar.ratio), x(bar.range[1])) : x(bar.ratio);
    parts.push(
      `<g class="bar">`,
      `<text x="${LABEL_WIDTH - 8}" y="${barY + 11}" text-anchor="end">${escapeHtml(truncate(bar.label, 50))}</text>`,
      `<text class="anchor-name" x="${LABEL_WIDTH - 8}" y="${barY + 26}" text-anchor="end" fill="${COLORS.anchor}">${escapeHtml(truncate(`vs ${bar.anchor}`, 54))}</text>`,
      `<rect class="ratio" x="${LABEL_WIDTH}" y="${barY}" width="${(x(bar.ratio) - LABEL_WIDTH).toFixed(1)}" height="${BAR_HEIGHT}" fill="${color}"><title>${escapeHtml(`${bar.label} vs ${bar.anchor}: ${formatNumber(bar.ratio)}× (median${spread})${verdict}`)}</title></rect>`,
    );
    if (bar.range && bar.range.every(Number.isFinite)) {
      const [lo, hi] = bar.range.map((v) => x(v).toFixed(1));
      const mid = barY + BAR_HEIGHT / 2;
      parts.push(
        `<path class="spread" d="M${lo} ${mid}H${hi}M${lo} ${mid - 5}V${mid + 5}M${hi} ${mid - 5}V${mid + 5}" stroke="${COLORS.anchor}" stroke-width="1.5" fill="none"/>`,
      );
    }
    parts.push(
      `<text x="${(end + 6).toFixed(1)}" y="${barY + 11}">${escapeHtml(`${formatNumber(bar.ratio)}×${bar.range ? ` (${formatNumber(bar.range[0])}–${formatNumber(bar.range[1])})` : ''}`)}</text>`,
    );
    for (const [bound, value] of [
      ['≥', bar.goal?.min],
      ['≤', bar.goal?.max],
    ] as const) {
      if (value === undefined) continue;
      const gx = x(value);
      const gy = barY + BAR_HEIGHT + 2;
      // A triangle under the bar pointing at the goal, and its value beside it.
      parts.push(
        `<g class="goal"><path d="M${gx.toFixed(1)} ${gy}l-6 9h12z" fill="${COLORS.goal}"/><line x1="${gx.toFixed(1)}" x2="${gx.toFixed(1)}" y1="${barY - 3}" y2="${gy}" stroke="${COLORS.goal}" stroke-width="2"/><text x="${(gx + 8).toFixed(1)}" y="${gy + 10}" fill="${COLORS.goal}">${escapeHtml(`goal ${bound} ${value}`)}</text><title>${escapeHtml(`goal ${bound} ${value}`)}</title></g>`,
      );
    }
    parts.push('</g>');
  });
  const axisY = TOP + shown.length * ROW_HEIGHT;
  const one = x(1).toFixed(1);
  parts.push(
    `<line class="anchor" x1="${one}" x2="${one}" y1="${TOP - 4}" y2="${axisY}" stroke="${COLORS.anchor}" stroke-dasharray="4 3"/>`,
    `<line x1="${LABEL_WIDTH}" x2="${LABEL_WIDTH + PLOT_WIDTH}" y1="${axisY}" y2="${axisY}" stroke="${COLORS.anchor}"/>`,
    `<text x="${one}" y="${axisY + 16}" text-anchor="middle" fill="${COLORS.anchor}">1 = the anchor</text>`,
  );
  // The axis ends' values, unless they would collide with the anchor's label.
  if (x(1) - LABEL_WIDTH > 60)
    parts.push(`<text x="${LABEL_WIDTH}" y="${axisY + 16}" fill="${COLORS.anchor}">0</text>`);
  if (LABEL_WIDTH + PLOT_WIDTH - x(1) > 80)
    parts.push(
      `<text x="${LABEL_WIDTH + PLOT_WIDTH}" y="${axisY + 16}" text-anchor="end" fill="${COLORS.anchor}">${escapeHtml(formatNumber(top))}</text>`,
    );
  parts.push('</svg>');
  return parts.join('\n');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
