/** The HTML report renderers as pure functions: JSON in, HTML out. */
import { describe, expect, it } from 'vitest';
import { compare, measured } from '../../src/bench/benchmark.ts';
import type { MatrixReport } from '../../src/matrix/render.ts';
import { type BenchRecord, renderBenchHtml } from '../../src/report/bench-page.ts';
import { chromiumPath } from '../../src/report/chromium.ts';
import { escapeHtml } from '../../src/report/html.ts';
import { cellVerdict, renderMatrixHtml } from '../../src/report/matrix-page.ts';
import { parseGoal, ratioChart } from '../../src/report/ratio-chart.ts';

type Result = MatrixReport['results'][number];
const result = (over: Partial<Result>): Result => ({
  suite: 's',
  target: 'redis-8',
  check: 'c',
  status: 'pass',
  notes: [],
  ms: 1,
  ...over,
});

const machine = { os: 'Linux x64', cpu: 'cpu', cores: 2, memoryGiB: 4, node: 'v24.0.0' };
const caps = { server: 'redis', version: '8.0.2', cluster: false, json: false, search: false } as const;

function report(results: Result[], extra: Partial<MatrixReport> = {}): MatrixReport {
  return {
    date: '2026-01-01T00:00:00.000Z',
    machine,
    provider: 'local',
    providerReason: 'no Docker',
    targets: [
      {
        name: 'redis-8',
        provider: 'local',
        url: 'redis://127.0.0.1:1',
        cluster: false,
        nodes: ['redis://127.0.0.1:1'],
        capabilities: { ...caps, vectorSets: true, hashFieldTtl: true },
      },
    ],
    suites: [{ id: 's', title: 'Suite <S>' }],
    results,
    ...extra,
  };
}

/** Everything a page may reference: nothing outside itself (the SVG namespace is a name, not a fetch). */
function externalReferences(html: string): string[] {
  const refs = html.match(/(?:src|href)\s*=\s*["'](?!#)[^"']*|url\(|<script|<link|@import/gi) ?? [];
  const urls = (html.match(/https?:\/\/[^\s"'<)]+/g) ?? []).filter((u) => u !== 'http://www.w3.org/2000/svg');
  return [...refs, ...urls];
}

describe('escapeHtml', () => {
  it('escapes the five characters that can break out of text or an attribute', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('cellVerdict', () => {
  it('pass counts the checks that ran and keeps their notes', () => {
    expect(cellVerdict([result({ notes: ['JSON codec'] }), result({ check: 'd' })])).toEqual({
      kind: 'pass',
      label: 'pass 2/2',
      details: ['JSON codec'],
    });
  });

  it('a fallback note marks the cell as fallback used', () => {
    const v = cellVerdict([result({ notes: ['fallback: string envelope'] })]);
    expect(v.kind).toBe('fallback');
    expect(v.details).toContain('fallback: string envelope');
  });

  it('a failure wins and names each failing check with its reason', () => {
    const v = cellVerdict([
      result({ notes: ['fallback: x'] }),
      result({ check: 'writes', status: 'fail', reason: 'timeout' }),
    ]);
    expect(v).toEqual({ kind: 'fail', label: 'fail 1/2', details: ['writes: timeout'] });
  });

  it('all checks skipped for a capability names the capability', () => {
    const skip = result({ status: 'skip', reason: 'capability missing: JSON (JSON.SET)' });
    expect(cellVerdict([skip, { ...skip, check: 'd' }])).toEqual({
      kind: 'missing',
      label: 'capability missing',
      details: ['capability missing: JSON (JSON.SET)'],
    });
  });

  it('a partial skip passes and lists what was skipped; a target-only check is not applicable', () => {
    const v = cellVerdict([result({}), result({ status: 'skip', reason: 'capability missing: search (FT.SEARCH)' })]);
    expect(v.kind).toBe('pass');
    expect(v.details).toEqual(['skipped: capability missing: search (FT.SEARCH)']);
    expect(cellVerdict([result({ status: 'skip', reason: 'not run on redis-8' })]).kind).toBe('none');
    expect(cellVerdict([]).label).toBe('not run');
  });
});

describe('renderMatrixHtml', () => {
  const hostile = '<script>alert(1)</script>';
  const html = renderMatrixHtml(
    report([result({ status: 'fail', reason: hostile, notes: [`note ${hostile}`] })], {
      reliability: [
        {
          id: 'cluster-failover',
          workflow: 'connection',
          fault: 'failover',
          title: 'Failover',
          status: 'pass',
          numbers: { errors: 3, recoverMs: 4002 },
          notes: [hostile],
          ms: 7000,
        },
      ],
    }),
  );

  it('escapes every text it shows, so a failure reason cannot inject markup', () => {
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Suite &lt;S&gt;');
  });

  it('is self-contained: no scripts, stylesheets, images or fonts fetched', () => {
    expect(externalReferences(html)).toEqual([]);
    expect(html).toMatch(/<style>/);
  });

  it('shows the failing check with its reason in the cell, and the reliability lane with its numbers', () => {
    expect(html).toMatch(/<table class="matrix">[\s\S]*fail 1\/1[\s\S]*c: &lt;script/);
    expect(html).toMatch(/id="reliability"[\s\S]*<code>recoverMs<\/code> 4,002/);
  });

  it('leaves the reliability section out when the lane did not run', () => {
    expect(renderMatrixHtml(report([result({})]))).not.toContain('id="reliability"');
  });
});

describe('parseGoal', () => {
  it('reads the goals compare() writes', () => {
    expect(parseGoal('>= 0.9')).toEqual({ min: 0.9 });
    expect(parseGoal('<= 2')).toEqual({ max: 2 });
    expect(parseGoal('>= 0.5 and <= 1.5')).toEqual({ min: 0.5, max: 1.5 });
    expect(parseGoal(undefined)).toBeUndefined();
    expect(parseGoal('faster')).toBeUndefined();
  });
});

describe('ratioChart', () => {
  it('draws one bar per finite ratio, a whisker per range and a labelled mark per goal bound, to scale', () => {
    const svg = ratioChart(
      [
        { label: 'a', anchor: 'raw GET', ratio: 0.5, range: [0.4, 0.6], goal: { min: 0.9 }, met: false },
        { label: 'b', anchor: 'raw GET', ratio: 2, goal: { min: 0.5, max: 3 }, met: true },
        { label: 'nan', anchor: 'raw GET', ratio: Number.NaN },
      ],
      'chart',
      'higher',
    );
    expect(svg.match(/<rect class="ratio"/g)).toHaveLength(2);
    expect(svg.match(/<path class="spread"/g)).toHaveLength(1);
    expect(svg.match(/<g class="goal">/g)).toHaveLength(3);
    expect(svg).toContain('goal ≥ 0.9');
    expect(svg).toContain('goal ≤ 3');
    expect(svg.match(/>vs raw GET</g)).toHaveLength(2);
    expect(svg).toContain('higher is better');
    expect(svg).toContain('0.50× (0.40–0.60)');
    const width = (label: string) =>
      Number(new RegExp(`>${label}</text>\\n<text[^>]*>[^<]*</text>\\n<rect[^>]*width="([\\d.]+)"`).exec(svg)?.[1]);
    expect(width('b')).toBeCloseTo(width('a') * 4, 0);
    expect(svg).toContain('#cf222e'); // missed goal in red
  });

  it('names its direction, and is empty when nothing was compared', () => {
    expect(ratioChart([{ label: 'x', anchor: 'y', ratio: 0.5 }], 't', 'lower')).toContain('lower is better');
    expect(ratioChart([{ label: 'x', anchor: 'y', ratio: Number.NaN }], 't', 'higher')).toBe('');
  });
});

describe('renderBenchHtml', () => {
  const anchor = { subject: 'raw GET (anchor)', metric: 'ops/s', value: 1000, unit: 'ops/s' };
  const record = (id: string, value: number): BenchRecord => ({
    id,
    title: `Bench ${id} <x>`,
    date: '2026-01-01T00:00:00.000Z',
    machine,
    target: { name: 'redis-8', provider: 'local', server: 'redis', version: '8.0.2' },
    scale: 1,
    rows: [anchor, compare({ ...anchor, subject: 'pattern GET', value }, anchor, { min: 0.9 })],
    notes: ['n <b>'],
  });

  it('renders a chart and a table per benchmark with the goal verdict, sorted by id', () => {
    const html = renderBenchHtml([record('z', 950), record('a', 500)]);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html.match(/class="ratio-chart higher"/g)).toHaveLength(2);
    expect(html.indexOf('Bench a')).toBeLessThan(html.indexOf('Bench z'));
    expect(html).toContain('0/1 goals met');
    expect(html).toContain('1/1 goals met');
    expect(html).toContain('Bench a &lt;x&gt;');
    expect(html).toContain('n &lt;b&gt;');
    expect(externalReferences(html)).toEqual([]);
  });

  it("charts lower-is-better rows on their own axis, with the rounds' spread in the table", () => {
    const time = (subject: string, rounds: number[]) => measured(subject, 'time', 's', rounds);
    const anchorTime = time('redis-cli --memkeys (anchor)', [6, 6.2, 6.1, 6.4, 6.3]);
    const html = renderBenchHtml([
      {
        ...record('t', 900),
        rows: [anchorTime, compare(time('audit', [3, 3.1, 3.3, 3.05, 3.2]), anchorTime, { max: 1 })],
      },
    ]);
    expect(html.match(/class="ratio-chart lower"/g)).toHaveLength(1);
    expect(html).not.toContain('class="ratio-chart higher"');
    expect(html).toMatch(/0\.50 \(0\.48–0\.54\)/);
  });

  it('says how to get results when there are none', () => {
    expect(renderBenchHtml([])).toContain('npm run bench');
  });
});

describe('chromiumPath', () => {
  it('says how to install Chromium when it is missing', () => {
    expect(() => chromiumPath({ CHROMIUM: '/nonexistent/chromium' })).toThrow(
      /not found at \/nonexistent\/chromium: install it with `apt-get update && apt-get install -y --no-install-recommends chromium`/,
    );
  });
});
