/**
 * The building blocks of the HTML reports: escaping and a page shell with its stylesheet inline, so each report
 * is one file a person can open from disk, attach to a CI run or mail, with nothing fetched and no script run.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and quoted attribute values. */
export function escapeHtml(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

/** `1,234`, `12.3`, `0.93`: numbers as a person reads them in a report. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en');
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/** A table from already-escaped cells; `head` is plain text. */
export function htmlTable(head: string[], rows: string[][], className = ''): string {
  return [
    `<table${className ? ` class="${escapeHtml(className)}"` : ''}>`,
    `<thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`,
    `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody>`,
    '</table>',
  ].join('\n');
}

/** A bulleted list of plain-text items; an empty string when there are none. */
export function htmlList(items: string[]): string {
  return items.length ? `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>` : '';
}

export type BadgeKind = 'pass' | 'fail' | 'fallback' | 'missing' | 'none';

export function badge(kind: BadgeKind, label: string): string {
  return `<span class="badge ${kind}">${escapeHtml(label)}</span>`;
}

const STYLE = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg-alt: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--fg); margin: 24px auto; max-width: 1200px; padding: 0 16px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
.meta, .muted { color: var(--muted); }
table { border-collapse: collapse; margin: 8px 0; width: 100%; }
th, td { border: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg-alt); font-weight: 600; }
td ul { margin: 4px 0 0; padding-left: 18px; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.badge { display: inline-block; border-radius: 10px; padding: 1px 8px; font-size: 12px; font-weight: 600;
  white-space: nowrap; border: 1px solid transparent; }
.badge.pass { background: #dafbe1; color: #116329; border-color: #aceebb; }
.badge.fail { background: #ffebe9; color: #a40e26; border-color: #ffcecb; }
.badge.fallback { background: #fff8c5; color: #7d4e00; border-color: #f5e0a0; }
.badge.missing { background: #ddf4ff; color: #0a3069; border-color: #b6e3ff; }
.badge.none { background: var(--bg-alt); color: var(--muted); border-color: var(--line); }
.legend .badge { margin-right: 6px; }
ul.numbers { list-style: none; padding-left: 0; white-space: nowrap; }
figure { margin: 8px 0 16px; }
figcaption { color: var(--muted); font-size: 12px; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--fg); }
details { margin: 8px 0; }
summary { cursor: pointer; color: var(--muted); }
`;

/** A complete standalone document. `body` is already-escaped HTML. */
export function htmlPage(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
