/** `npm run matrix`: its arguments, its exits on usage errors, and its tables within the terminal's width. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMatrixArgs, UsageError } from '../../src/matrix/args.ts';
import {
  cellText,
  type MatrixReport,
  pathNoteLines,
  pathNotes,
  targetTable,
  workflowTable,
} from '../../src/matrix/render.ts';
import { terminalWidth, textTable } from '../../src/report.ts';

const CLI = join(import.meta.dirname, '../../src/matrix/cli.ts');

function matrix(...args: string[]) {
  return spawnSync(process.execPath, ['--conditions=source', CLI, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, RAK_PROVIDER: 'local', REDIS_TARGETS: '' },
  });
}

describe('parseMatrixArgs', () => {
  it('reads lists given as the next argument or after =, and the flags', () => {
    expect(parseMatrixArgs([])).toEqual({ help: false, only: [], targets: [], allowDestructive: false });
    expect(
      parseMatrixArgs(['--only', 'products-cache, rate-limiter', '--targets=redis-8', '--targets', 'valkey-9']),
    ).toEqual({
      help: false,
      only: ['products-cache', 'rate-limiter'],
      targets: ['redis-8', 'valkey-9'],
      allowDestructive: false,
    });
    expect(parseMatrixArgs(['--faults']).faults).toEqual([]);
    expect(parseMatrixArgs(['--faults=a,b']).faults).toEqual(['a', 'b']);
    expect(parseMatrixArgs(['--faults', '--allow-destructive'])).toMatchObject({ faults: [], allowDestructive: true });
    expect(parseMatrixArgs(['-h']).help).toBe(true);
    expect(parseMatrixArgs(['--only', 'x', '--help']).help).toBe(true);
  });

  it('refuses an unknown option and a list option without its list', () => {
    expect(() => parseMatrixArgs(['--bogus'])).toThrow(UsageError);
    expect(() => parseMatrixArgs(['--only'])).toThrow(/--only needs a comma-separated list/);
    expect(() => parseMatrixArgs(['--only', '--targets', 'redis-8'])).toThrow(/--only needs/);
    expect(() => parseMatrixArgs(['--targets='])).toThrow(/--targets needs/);
    expect(() => parseMatrixArgs(['products-cache'])).toThrow(/unknown argument products-cache/);
  });
});

describe('the matrix CLI', () => {
  it('--help prints the usage and exits 0 without starting anything', () => {
    const run = matrix('--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npm run matrix -- \[options\]/);
    expect(run.stdout).toMatch(/--only ID,ID/);
    expect(run.stdout + run.stderr).not.toMatch(/\[targets\]|\[provision\]/);
  });

  it('an unknown workflow, target or option exits 2 naming the known ones, before any server starts', () => {
    const workflow = matrix('--only', 'products-cache,cache');
    expect(workflow.status).toBe(2);
    expect(workflow.stderr).toMatch(/unknown workflow cache; known: .*connection, .*products-cache.*, vector-search/);
    const target = matrix('--targets', 'redis-8,redis-9');
    expect(target.status).toBe(2);
    expect(target.stderr).toMatch(
      /unknown target redis-9; known: redis-7\.0, redis-8, valkey-8\.1, valkey-9, redis-cluster/,
    );
    expect(target.stdout).not.toMatch(/\[targets\] redis-8/);
    const option = matrix('--all');
    expect(option.status).toBe(2);
    expect(option.stderr).toMatch(/unknown argument --all\n\nUsage:/);
  });
});

describe('textTable within a width', () => {
  const head = ['workflow', 'redis-7.0', 'redis-8', 'valkey-8.1', 'valkey-9', 'redis-cluster'];
  const rows = [
    ['session-migration', 'pass 6', 'pass 6 skip 1', 'FAIL 1/6', 'pass 6', 'pass 7'],
    ['mcp-server', 'a failure\nover two lines', 'skip', '—', 'pass 8 skip 1', 'pass 8 skip 1'],
  ];

  it('keeps every line within the width, cutting the widest columns first and marking cuts with …', () => {
    for (const width of [60, 80, 100]) {
      const lines = textTable(head, rows, width).split('\n');
      expect(lines).toHaveLength(4);
      for (const line of lines) expect(line.length, `${width}: ${line}`).toBeLessThanOrEqual(width);
    }
    expect(textTable(head, rows, 80)).toContain('…');
  });

  it('leaves a table that fits as it is, and never breaks a row over lines', () => {
    const table = textTable(head, rows, 200);
    expect(table).not.toContain('…');
    expect(table.split('\n')[3]).toMatch(/^mcp-server\s+a failure over two lines\s+skip/);
  });

  it('takes the width of the terminal, else $COLUMNS, else 120', () => {
    expect(terminalWidth({ columns: 91 }, {})).toBe(91);
    expect(terminalWidth({}, { COLUMNS: '77' })).toBe(77);
    expect(terminalWidth({}, {})).toBe(120);
  });
});

type Result = MatrixReport['results'][number];
const r = (target: string, status: Result['status'], over: Partial<Result> = {}): Result => ({
  suite: 'vector-search',
  target,
  check: 'c',
  status,
  notes: [],
  ms: 1,
  ...over,
});
const caps = { server: 'redis', version: '8.0.2', cluster: false, json: false, search: false } as const;
const target = (name: string, vectorSets: boolean) => ({
  name,
  provider: 'local' as const,
  url: 'redis://127.0.0.1:1',
  cluster: false,
  nodes: ['redis://127.0.0.1:1'],
  capabilities: { ...caps, vectorSets, hashFieldTtl: vectorSets },
});

describe('matrix cells and notes', () => {
  const report = {
    targets: [target('redis-7.0', false), target('redis-8', true)],
    suites: [{ id: 'vector-search', title: 'Vector search' }],
    results: [
      r('redis-7.0', 'pass', { notes: ['refused: no vector sets'] }),
      r('redis-7.0', 'skip', { reason: 'capability missing: vector sets (VADD)' }),
      r('redis-7.0', 'skip', { reason: 'not run on redis-7.0' }),
      r('redis-8', 'pass', { notes: ['vector set (Q8)'] }),
      r('redis-8', 'fail', { reason: 'expected 3\nactual 2', notes: ['vector set (Q8)'] }),
      r('redis-8', 'pass', { notes: ['not applicable to the other'] }),
    ],
  };

  it('a cell counts what ran and what was skipped; a check for other targets counts for nothing', () => {
    expect(cellText(report.results.filter((x) => x.target === 'redis-7.0'))).toBe('pass 1 skip 1');
    expect(cellText(report.results.filter((x) => x.target === 'redis-8'))).toBe('FAIL 1/3');
    expect(cellText([r('x', 'skip', { reason: 'capability missing: JSON (JSON.SET)' })])).toBe('skip');
    expect(cellText([r('x', 'skip', { reason: 'not run on x' })])).toBe('—');
  });

  it('says which path ran where, and why checks were skipped, naming the capability', () => {
    expect(pathNotes(report)).toEqual([
      { workflow: 'vector-search', note: 'refused: no vector sets', targets: ['redis-7.0'] },
      { workflow: 'vector-search', note: 'skipped: capability missing: vector sets (VADD)', targets: ['redis-7.0'] },
      { workflow: 'vector-search', note: 'vector set (Q8)', targets: ['redis-8'] },
      { workflow: 'vector-search', note: 'not applicable to the other', targets: ['redis-8'] },
    ]);
    expect(pathNoteLines(report)[0]).toBe('vector-search');
    expect(pathNoteLines(report)[1]).toBe('  refused: no vector sets — redis-7.0');
    expect(workflowTable(report)).toEqual([
      ['workflow', 'redis-7.0', 'redis-8'],
      [['vector-search', 'pass 1 skip 1', 'FAIL 1/3']],
    ]);
    expect(targetTable(report)[1][0]).toEqual([
      'redis-7.0',
      'local',
      'redis 8.0.2',
      'none of JSON, search, vector sets, hash field TTL',
    ]);
  });
});
