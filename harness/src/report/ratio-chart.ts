/**
 * Inline SVG bar charts of benchmark ratios: one bar per compared row (value / anchor), a dashed line at 1
 * (as fast as the anchor) and, on each bar's row, a mark at its goal. Plain SVG in the page, nothing to load.
 */
import { escapeHtml, formatNumber } from './html.ts';

export interface Goal {
  min?: number;
  max?: number;
}

export interface RatioBar {
  label: string;
  ratio: number;
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

const WIDTH = 880;
const LABEL_WIDTH = 330;
const PLOT_WIDTH = 440;
const ROW_HEIGHT = 30;
const BAR_HEIGHT = 16;
const TOP = 24;
const BOTTOM = 26;

const COLORS = { met: '#2da44e', missed: '#cf222e', none: '#8c959f', anchor: '#59636e', goal: '#1f2328' };

/** An SVG chart of the bars; an empty string when no bar has a finite ratio. */
export function ratioChart(bars: RatioBar[], title: string): string {
  const shown = bars.filter((b) => Number.isFinite(b.ratio) && b.ratio >= 0);
  if (shown.length === 0) return '';
  const goalValues = shown.flatMap((b) => [b.goal?.min, b.goal?.max]).filter((v): v is number => v !== undefined);
  const top = Math.max(1, ...shown.map((b) => b.ratio), ...goalValues) * 1.15;
  const x = (ratio: number) => LABEL_WIDTH + (Math.min(ratio, top) / top) * PLOT_WIDTH;
  const height = TOP + shown.length * ROW_HEIGHT + BOTTOM;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="ratio-chart" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(title)}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<text x="${LABEL_WIDTH}" y="14" fill="${COLORS.anchor}">ratio to anchor (1 = same as anchor)</text>`,
  );
  shown.forEach((bar, i) => {
    const y = TOP + i * ROW_HEIGHT;
    const barY = y + (ROW_HEIGHT - BAR_HEIGHT) / 2;
    const color = bar.met === undefined ? COLORS.none : bar.met ? COLORS.met : COLORS.missed;
    const verdict = bar.met === undefined ? '' : bar.met ? ' (goal met)' : ' (goal missed)';
    parts.push(
      `<g class="bar">`,
      `<text x="${LABEL_WIDTH - 8}" y="${barY + 12}" text-anchor="end">${escapeHtml(truncate(bar.label, 48))}</text>`,
      `<rect class="ratio" x="${LABEL_WIDTH}" y="${barY}" width="${(x(bar.ratio) - LABEL_WIDTH).toFixed(1)}" height="${BAR_HEIGHT}" fill="${color}"><title>${escapeHtml(`${bar.label}: ${formatNumber(bar.ratio)}×${verdict}`)}</title></rect>`,
      `<text x="${(x(bar.ratio) + 4).toFixed(1)}" y="${barY + 12}">${escapeHtml(`${formatNumber(bar.ratio)}×`)}</text>`,
    );
    for (const [bound, value] of [
      ['≥', bar.goal?.min],
      ['≤', bar.goal?.max],
    ] as const) {
      if (value === undefined) continue;
      const gx = x(value).toFixed(1);
      parts.push(
        `<line class="goal" x1="${gx}" x2="${gx}" y1="${y + 2}" y2="${y + ROW_HEIGHT - 2}" stroke="${COLORS.goal}" stroke-width="2"><title>${escapeHtml(`goal ${bound} ${value}`)}</title></line>`,
      );
    }
    parts.push('</g>');
  });
  const axisY = TOP + shown.length * ROW_HEIGHT;
  const one = x(1).toFixed(1);
  parts.push(
    `<line class="anchor" x1="${one}" x2="${one}" y1="${TOP - 4}" y2="${axisY}" stroke="${COLORS.anchor}" stroke-dasharray="4 3"/>`,
    `<line x1="${LABEL_WIDTH}" x2="${LABEL_WIDTH + PLOT_WIDTH}" y1="${axisY}" y2="${axisY}" stroke="${COLORS.anchor}"/>`,
    `<text x="${one}" y="${axisY + 16}" text-anchor="middle" fill="${COLORS.anchor}">1 (anchor)</text>`,
  );
  // The axis ends' values, unless they would collide with the anchor's label.
  if (x(1) - LABEL_WIDTH > 45)
    parts.push(`<text x="${LABEL_WIDTH}" y="${axisY + 16}" fill="${COLORS.anchor}">0</text>`);
  if (LABEL_WIDTH + PLOT_WIDTH - x(1) > 70)
    parts.push(
      `<text x="${LABEL_WIDTH + PLOT_WIDTH}" y="${axisY + 16}" text-anchor="end" fill="${COLORS.anchor}">${escapeHtml(formatNumber(top))}</text>`,
    );
  parts.push('</svg>');
  return parts.join('\n');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
