/**
 * Both report pages, from a real short matrix run, a real fault scenario and a real benchmark run on the test
 * targets, opened in headless Chromium: the table rows, cells and SVG bars must be in the rendered document, and
 * a screenshot of each page is kept under reports/screenshots/ for a person to look at.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compare } from '../src/bench/benchmark.ts';
import connectionBenchmark from '../src/bench/benchmarks/connection.bench.ts';
import connectionRestart from '../src/faults/connection-restart.fault.ts';
import { runFaultScenario } from '../src/faults/run.ts';
import type { MatrixReport } from '../src/matrix/render.ts';
import { type CheckResult, defineSuite, runCheck } from '../src/matrix/suite.ts';
import { type BenchRecord, renderBenchHtml } from '../src/report/bench-page.ts';
import { chromiumPath, renderedDom, screenshot } from '../src/report/chromium.ts';
import { renderMatrixHtml } from '../src/report/matrix-page.ts';
import { machineInfo, REPORTS_DIR } from '../src/report.ts';
import connectionSuite from '../src/suites/connection.suite.ts';
import { target, targets } from '../src/vitest/index.ts';

/** A suite whose checks give every kind of cell on real servers: pass, fallback, fail, capability missing. */
const kinds = defineSuite({
  id: 'report-kinds',
  title: 'Every kind of cell',
  checks: [
    {
      name: 'writes and reads back',
      async run({ client, prefix }) {
        await client.set(`${prefix}:k`, 'v', 'EX', 60);
        if ((await client.get(`${prefix}:k`)) !== 'v') throw new Error('read back failed');
        await client.unlink(`${prefix}:k`);
      },
    },
    {
      name: 'chooses a codec',
      async run({ target, note }) {
        note(target.capabilities.json ? 'JSON codec' : 'fallback: string envelope');
      },
    },
    {
      name: 'refuses on Valkey',
      async run({ target }) {
        if (target.capabilities.server === 'valkey') throw new Error('Valkey <b>refused</b> on purpose');
      },
    },
  ],
});
const needsJson = defineSuite({
  id: 'report-needs-json',
  title: 'Needs JSON',
  checks: [{ name: 'uses JSON.SET', requires: ['json'], async run() {} }],
});

const dir = mkdtempSync(join(tmpdir(), 'rak-reports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

describe('reports in headless Chromium', () => {
  let matrixFile: string;
  let report: MatrixReport;
  let benchFile: string;
  let compared: number;
  let goals: number;

  beforeAll(async () => {
    chromiumPath(); // fails with how to install it
    const suites = [connectionSuite, kinds, needsJson];
    const results: CheckResult[] = [];
    for (const t of targets())
      for (const suite of suites) for (const check of suite.checks) results.push(await runCheck(suite, check, t));
    const fault = await runFaultScenario(connectionRestart);
    report = {
      date: new Date().toISOString(),
      machine: machineInfo(),
      provider: targets()[0]?.provider ?? 'local',
      providerReason: 'test run',
      targets: targets().map(({ pids: _pids, ...t }) => t),
      suites: suites.map(({ id, title }) => ({ id, title })),
      results: results.map(({ error: _error, ...r }) => r),
      reliability: [(({ error: _error, ...r }) => r)(fault)],
    };
    matrixFile = join(dir, 'matrix.html');
    writeFileSync(matrixFile, renderMatrixHtml(report));

    // The connection benchmark compares with a bare standalone client.
    const redis = targets().find((t) => !t.cluster) ?? target('redis-8');
    const run = await connectionBenchmark.run({ target: redis, scale: 0.1, log: () => {} });
    const real: BenchRecord = {
      id: connectionBenchmark.id,
      title: connectionBenchmark.title,
      date: new Date().toISOString(),
      machine: machineInfo(),
      target: { name: redis.name, provider: redis.provider, ...redis.capabilities },
      scale: 0.1,
      rows: run.rows,
      notes: run.notes ?? [],
    };
    // A second record built by hand, so the chart shows a missed goal and a two-sided goal beside the real one.
    const anchor = { subject: 'naive pipeline (anchor)', metric: 'p99 ms', value: 2, unit: 'ms' };
    const fixture: BenchRecord = {
      ...real,
      id: 'fixture',
      title: 'Fixture: hand-made rows with a missed and a two-sided goal',
      rows: [
        anchor,
        compare({ ...anchor, subject: 'pattern', value: 3 }, anchor, { max: 1.2 }),
        compare({ ...anchor, subject: 'pattern, batched', value: 1.6 }, anchor, { min: 0.5, max: 1.2 }),
      ],
      notes: ['made by the test, not measured'],
    };
    const records = [real, fixture];
    compared = records.flatMap((r) => r.rows).filter((r) => r.ratio !== undefined).length;
    goals = records.flatMap((r) => r.rows).reduce((n, r) => n + count(r.goal ?? '', /[<>]=/g), 0);
    benchFile = join(dir, 'bench.html');
    writeFileSync(benchFile, renderBenchHtml(records));
  }, 120_000);

  it('matrix.html: one row per workflow with a cell per target, every kind of cell, the reliability lane', async () => {
    const dom = await renderedDom(matrixFile);
    const matrixTable = /<table class="matrix">([\s\S]*?)<\/table>/.exec(dom)?.[1] ?? '';
    expect(count(matrixTable, /<tr>/g)).toBe(1 + report.suites.length);
    expect(count(matrixTable, /<span class="badge /g)).toBe(report.suites.length * report.targets.length);
    expect(matrixTable).toContain('badge pass');
    // Fallback shows where the codec falls back and the Valkey-only failure does not win.
    if (report.targets.some((t) => !t.capabilities.json && t.capabilities.server !== 'valkey'))
      expect(matrixTable).toContain('badge fallback');
    if (report.targets.some((t) => t.capabilities.server === 'valkey')) {
      expect(matrixTable).toContain('Valkey &lt;b&gt;refused&lt;/b&gt; on purpose');
      expect(matrixTable).not.toContain('<b>refused');
    }
    if (report.targets.some((t) => !t.capabilities.json))
      expect(matrixTable).toMatch(/badge missing">capability missing<\/span><ul><li>capability missing: JSON/);
    const reliability = /<table class="reliability">([\s\S]*?)<\/table>/.exec(dom)?.[1] ?? '';
    expect(reliability).toContain('connection-restart');
    expect(reliability).toContain('recoverMs');

    const png = await screenshot(matrixFile, join(REPORTS_DIR, 'screenshots', 'matrix.png'));
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
  });

  it('bench.html: a chart per benchmark and direction, a bar per compared row, its spread, a mark per goal', async () => {
    const dom = await renderedDom(benchFile);
    // The real run's throughput (higher is better) and the fixture's latency (lower is better): one axis each.
    expect(count(dom, /<svg /g)).toBe(2);
    expect(count(dom, /class="ratio-chart higher"/g)).toBe(1);
    expect(count(dom, /class="ratio-chart lower"/g)).toBe(1);
    expect(count(dom, /<rect class="ratio"/g)).toBe(compared);
    expect(count(dom, /<path class="spread"/g)).toBe(1); // the real run's rounds; the fixture has none
    expect(count(dom, /<g class="goal">/g)).toBe(goals);
    expect(dom).toContain('vs bare ioredis GET (anchor)');
    expect(count(/<table class="overview">([\s\S]*?)<\/table>/.exec(dom)?.[1] ?? '', /<tr>/g)).toBe(3);
    expect(dom).toContain('1/2 goals met'); // the fixture: one goal missed

    const png = await screenshot(benchFile, join(REPORTS_DIR, 'screenshots', 'bench.png'));
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
  });
});
