/**
 * redis-key-audit as a script sees it: JSON on stdout that validates against the schema, one entry per instance,
 * a clear redacted error for a bad URL or an unreachable host while the others still report, exit codes, the
 * cluster found by itself, and a read-only ACL user without warnings.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AuditReport } from '@redis-agent-kit/patterns/audit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dropKeyspace,
  dropOddNames,
  READER_ACL,
  type Seeded,
  schemaErrors,
  seedKeyspace,
  seedOddNames,
} from '../src/suites/key-audit-fixtures.ts';
import { freePort } from '../src/targets/ports.ts';
import { clientFor, target } from '../src/vitest/index.ts';

const CLI = join(import.meta.dirname, '..', '..', 'examples', 'key-audit', 'src', 'cli.ts');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--conditions=source', CLI, ...args], {
      env: { ...process.env, CI: '1', REDIS_CLUSTER: '', ...env },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout: string; stderr: string };
    if (typeof e.code !== 'number') throw error;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

type Document = {
  instances: ({ target: string; ok: true; report: AuditReport } | { target: string; ok: false; error: string })[];
};

describe('redis-key-audit CLI', () => {
  const redis = target('redis-8');
  let seeded: Seeded;
  const prefix = `rak:key-audit-cli:${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    seeded = await seedKeyspace(await clientFor(redis), prefix);
  });
  afterAll(async () => {
    await dropKeyspace(await clientFor(redis), seeded);
  });

  it('reports good instances and one clear, redacted error per bad URL or unreachable host (exit 3)', async () => {
    const closed = `redis://auditor:s3cretpass@127.0.0.1:${await freePort()}`;
    const run = await cli(['--url', redis.url, '--url', closed, '--url', 'redis://[oops', '--match', seeded.match]);
    expect(run.code).toBe(3);
    const document = JSON.parse(run.stdout) as Document;
    expect(schemaErrors(document)).toBeUndefined();
    const [good, unreachable, invalid] = document.instances;
    expect(good?.ok && good.report.totals.scanned).toBe(seeded.keys.length);
    expect(unreachable).toMatchObject({ ok: false, target: expect.stringContaining('auditor:***@') });
    expect(!unreachable?.ok && unreachable?.error).toMatch(/Cannot connect .*ECONNREFUSED/);
    expect(!invalid?.ok && invalid?.error).toMatch(/Invalid Redis URL/);
    expect(run.stdout + run.stderr).not.toContain('s3cretpass');
  });

  it('never prints a password with an unencoded @, audited or refused', async () => {
    const admin = await clientFor(redis);
    const user = `rak-audit-at-${randomBytes(4).toString('hex')}`;
    const secret = `dor@${randomBytes(6).toString('hex')}`;
    await admin.call('ACL', 'SETUSER', user, 'on', `>${secret}`, '~*', '+@all');
    try {
      const { hostname: host, port } = new URL(redis.url);
      const good = `redis://${user}:${secret}@${host}:${port}`;
      const wrong = `redis://${user}:${secret}x@${host}:${port}`;
      for (const format of ['json', 'text']) {
        const run = await cli(['--url', good, '--url', wrong, '--match', seeded.match, '--format', format]);
        expect(run.code).toBe(3);
        const printed = run.stdout + run.stderr;
        expect(printed).toContain(`${user}:***@${host}:${port}`);
        expect(printed).not.toContain(secret.slice(4));
        expect(printed).toMatch(/WRONGPASS|invalid username-password/);
      }
    } finally {
      await admin.call('ACL', 'DELUSER', user);
    }
  });

  it('exits 1 with --fail-on when a finding is that severe, 0 when none is', async () => {
    const base = ['--url', redis.url, '--match', seeded.match];
    expect((await cli([...base, '--fail-on', 'error'])).code).toBe(1);
    const clean = await cli(['--url', redis.url, '--match', `${prefix}:cache:page:*`, '--fail-on', 'info']);
    expect(clean.code).toBe(0);
  });

  it('prints a readable summary with --format text', async () => {
    const run = await cli(['--url', redis.url, '--match', seeded.match, '--format', 'text', '--depth', '5']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${prefix}:cache:product:*`);
    expect(run.stdout).toMatch(/\[error\] huge-value/);
    expect(run.stdout).toContain(seeded.hugeKey);
  });

  it('prints names that are not UTF-8 or hold control characters escaped, like redis-cli, on a cluster', async () => {
    const cluster = target('redis-cluster');
    const client = await clientFor(cluster);
    const odd = await seedOddNames(client, `${prefix}:odd`);
    try {
      const tag = odd.match.slice(1, -1);
      const text = await cli(['--url', cluster.url, '--match', odd.match, '--format', 'text']);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(`"${tag}:big:\\xff\\xfe"`);
      expect(text.stdout).toContain(`"${tag}:ctl:\\n:1"`);
      expect(text.stdout).toContain(`"${tag}:ctl:\\x1b[31mred"`);
      // eslint-disable-next-line no-control-regex -- finding control characters is the point
      expect(text.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
      expect(text.stdout).toMatch(new RegExp(`${odd.keys.length} keys inspected`));
      const json = await cli(['--url', cluster.url, '--match', odd.match]);
      const [instance] = (JSON.parse(json.stdout) as Document).instances;
      const report = instance?.ok ? instance.report : undefined;
      expect(report?.totals.scanned).toBe(odd.keys.length);
      expect(report?.rawNames[`"${tag}:big:\\xff\\xfe"`]).toBe(odd.bigBinary.toString('base64'));
    } finally {
      await dropOddNames(client, odd);
    }
  });

  it('exits 2 with the usage text on a bad option', async () => {
    const run = await cli(['--format', 'xml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--format must be json or text[\s\S]*exit codes/);
    expect(run.stdout).toBe('');
    // An audit option out of range is a usage error too, found before connecting.
    for (const [args, says] of [
      [['--separators', 'ab'], /separators must be ASCII punctuation/],
      [['--scan-count', '20000'], /scanCount must be an integer from 1 to 10000/],
      [['--no-size-pass'], /--no-size-pass goes with --sample/],
    ] as const) {
      const bad = await cli([...args, '--url', 'redis://127.0.0.1:1']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(says);
    }
  });

  it('finds a cluster by itself and scans each master once', async () => {
    const cluster = target('redis-cluster');
    const run = await cli(['--url', cluster.url, '--match', 'rak:key-audit-cli:none:*']);
    expect(run.code).toBe(0);
    const [instance] = (JSON.parse(run.stdout) as Document).instances;
    const report = instance?.ok ? instance.report : undefined;
    expect(report?.server.cluster).toBe(true);
    expect(new Set(report?.nodes.map((n) => n.node)).size).toBe(3);
    expect(report?.nodes.length).toBe(3);
  });

  it('works for a user with the widely copied read-only ACL rules, without ioredis warnings', async () => {
    const admin = await clientFor(redis);
    const user = `rak-audit-cli-${randomBytes(4).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    await admin.call('ACL', 'SETUSER', user, 'on', `>${password}`, ...READER_ACL);
    try {
      const url = new URL(redis.url);
      url.username = user;
      url.password = password;
      const run = await cli(['--url', url.toString(), '--match', seeded.match]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const [instance] = (JSON.parse(run.stdout) as Document).instances;
      expect(instance?.ok && instance.report.totals.scanned).toBe(seeded.keys.length);
      expect(run.stdout).not.toContain(password);
    } finally {
      await admin.call('ACL', 'DELUSER', user);
    }
  });
});
