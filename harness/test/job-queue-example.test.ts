/**
 * examples/job-queue over HTTP against redis-8: a job enqueued by the API is run by a worker and its result served;
 * an Idempotency-Key makes a repeat a duplicate; a bouncing email ends in the dead letters and can be retried;
 * every client mistake is a 4xx with a JSON body; a Redis failure is a 503 without a stack trace. Then the example
 * copied out of the monorepo runs on its own with `npm start` and its forked workers.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { closeClient, connect, type RedisClient } from '@redis-agent-kit/patterns';
import type { Worker } from '@redis-agent-kit/patterns/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../examples/job-queue/src/app.ts';
import { createHandler, createJobsQueue, type JobRequest, type JobsConfig } from '../../examples/job-queue/src/jobs.ts';
import { exportExample } from '../src/export-example.ts';
import { waitFor } from '../src/suites/job-queue.suite.ts';
import { freePort } from '../src/targets/ports.ts';
import { clientFor, target } from '../src/vitest/index.ts';

let server: Server;
let base: string;
let worker: Worker<JobRequest>;
let client: RedisClient;
const config: JobsConfig = { prefix: `rak:job-queue-example:${randomBytes(4).toString('hex')}`, partitions: 2 };

beforeAll(async () => {
  client = await clientFor(target('redis-8'));
  const queue = createJobsQueue(client, config);
  worker = await queue.process(
    createHandler(client, config, () => {}),
    {
      concurrency: 4,
      visibilityMs: 2000,
      maintenanceMs: 100,
      maxDeliveries: 2,
      backoff: { type: 'fixed', delayMs: 10 },
    },
  );
  server = createApp({ client, queue, config }).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await worker.close();
  await new Promise((resolve) => server.close(resolve));
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

async function get(path: string) {
  const response = await fetch(base + path);
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe('examples/job-queue over HTTP', () => {
  it('enqueues a job (202 with Location), a worker runs it, and its result is served', async () => {
    const added = await post('/api/jobs', { kind: 'thumbnail', target: 'https://img.example/a.png', durationMs: 50 });
    expect(added.status).toBe(202);
    expect(added.body.status).toBe('queued');
    expect(added.headers.get('location')).toBe(`/api/jobs/${added.body.id}`);
    expect(added.headers.get('x-powered-by')).toBeNull();
    await waitFor(async () => (await get(`/api/jobs/${added.body.id}`)).status === 200, 10_000, 'the job result');
    const done = await get(`/api/jobs/${added.body.id}`);
    expect(done.body).toMatchObject({
      status: 'done',
      result: { output: 'https://img.example/a.png#thumbnail-128x128', delivery: 1 },
    });
    const stats = await get('/stats');
    expect(stats.body).toMatchObject({ name: 'media', group: 'workers' });
    expect(stats.body.partitions).toHaveLength(2);
  });

  it('the same Idempotency-Key twice is one job', async () => {
    const headers = { 'idempotency-key': `order-${randomBytes(4).toString('hex')}` };
    const job = { kind: 'email', target: 'ada@example.com', durationMs: 0 };
    const first = await post('/api/jobs', job, headers);
    const second = await post('/api/jobs', job, headers);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(first.body.id).toBe(headers['idempotency-key']);
    expect(second.body.status).toMatch(/^duplicate/);
  });

  it('a bouncing email is dead-lettered with its error, and a retry puts it back', async () => {
    const added = await post('/api/jobs', { kind: 'email', target: 'bounce@example.com', durationMs: 0 });
    await waitFor(
      async () => ((await get('/api/dead-letters')).body as unknown as unknown[]).length > 0,
      10_000,
      'a dead letter',
    );
    const letters = (await get('/api/dead-letters?count=5')).body as unknown as {
      id: string;
      deadLetterId: string;
      error: string;
      deliveries: number;
    }[];
    const letter = letters.find((l) => l.id === added.body.id);
    expect(letter).toMatchObject({ deliveries: 2, error: 'Error: mailbox bounce@example.com is unavailable' });
    const retried = await post(`/api/dead-letters/${letter?.deadLetterId}/retry`, {});
    expect(retried).toMatchObject({ status: 200, body: { retried: true } });
    expect((await post(`/api/dead-letters/${letter?.deadLetterId}/retry`, {})).status).toBe(404);
  });

  it("a client's mistakes are 4xx with a JSON error, never a 5xx", async () => {
    const cases: [Promise<{ status: number; body: Record<string, unknown> }>, number, RegExp][] = [
      [post('/api/jobs', { kind: 'fax', target: 'x' }), 400, /kind must be one of/],
      [post('/api/jobs', { kind: 'email', target: '' }), 400, /target must be/],
      [post('/api/jobs', { kind: 'email', target: 'a', durationMs: -1 }), 400, /durationMs/],
      [post('/api/jobs', '[1,2]'), 400, /JSON object/],
      [post('/api/jobs', '{bad json'), 400, /not valid JSON/],
      [
        post('/api/jobs', JSON.stringify({ kind: 'email', target: 'a', pad: 'x'.repeat(20_000) })),
        413,
        /larger than 16 KB/,
      ],
      [post('/api/jobs?delayMs=-5', { kind: 'email', target: 'a' }), 400, /delayMs/],
      [post('/api/jobs', { kind: 'email', target: 'a', priority: 'asap' }), 400, /priority must be/],
      [
        post('/api/jobs', { kind: 'email', target: 'a' }, { 'idempotency-key': 'k'.repeat(300) }),
        400,
        /Idempotency-Key/,
      ],
      [get('/api/dead-letters?count=1000'), 400, /count must be/],
      [post('/api/dead-letters/nonsense/retry', {}), 400, /dead letter id/],
      [post('/api/dead-letters/9:1-0/retry', {}), 404, /no partition 9/],
      [get('/api/jobs/no-such-job'), 404, /not done/],
      [get('/nowhere'), 404, /no such route/],
    ];
    for (const [pending, status, message] of cases) {
      const { status: got, body } = await pending;
      expect(got).toBe(status);
      expect(String(body.error ?? body.status)).toMatch(message);
    }
  });

  it('a Redis failure is a 503 with a JSON error and no stack trace', async () => {
    const dead = await connect(target('redis-8'));
    await closeClient(dead);
    const app = createApp({ client: dead, queue: createJobsQueue(dead, config), config }).listen(0);
    await new Promise((resolve) => app.once('listening', resolve));
    try {
      const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
      const response = await fetch(`${url}/api/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'email', target: 'a' }),
      });
      const text = await response.text();
      expect(response.status).toBe(503);
      expect(JSON.parse(text)).toEqual({ error: 'the job queue is unavailable: Redis failed; retry later' });
      expect(text).not.toMatch(/at .*\.ts/);
      expect((await fetch(`${url}/stats`)).status).toBe(503);
    } finally {
      await new Promise((resolve) => app.close(resolve));
    }
  });
});

describe('examples/job-queue copied out of the monorepo', () => {
  const work = mkdtempSync(join(tmpdir(), 'rak-export-job-queue-'));
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child?.pid && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
    rmSync(work, { recursive: true, force: true });
  });

  it('npm start serves the API and its forked worker runs a job', async () => {
    const dir = exportExample('job-queue', join(work, 'job-queue'));
    await promisify(execFile)('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline', '--silent'], {
      cwd: dir,
    });
    const port = await freePort();
    const { NODE_OPTIONS: _monorepoOnly, ...env } = process.env;
    const prefix = `rak:job-queue-export:${randomBytes(4).toString('hex')}`;
    child = spawn('npm', ['start', '--silent'], {
      cwd: dir,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...env, REDIS_URL: target('redis-8').url, PORT: String(port), WORKERS: '1', JOBS_PREFIX: prefix },
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      () => {
        if (child?.exitCode !== null) throw new Error(`npm start exited ${child?.exitCode}: ${stderr.slice(0, 2000)}`);
        return fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
      },
      30_000,
      'the exported API',
    );
    const added = (await (
      await fetch(`${url}/api/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'thumbnail', target: 'https://img.example/b.png', durationMs: 0 }),
      })
    ).json()) as { id: string };
    await waitFor(
      () => fetch(`${url}/api/jobs/${added.id}`).then((r) => r.status === 200),
      30_000,
      'the job run by the forked worker',
    );
  });
});
