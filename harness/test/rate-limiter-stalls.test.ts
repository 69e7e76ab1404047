/**
 * The rate limiter's core promise under real event-loop stalls, over HTTP, on every target: three processes of
 * examples/rate-limiter (INSTANCES=3, the sliding-window log, its 250 ms deadline, the in-process fallback) share
 * one Redis; each freezes its event loop for 0.5 to 1 s every STALL_EVERY requests it receives, while 1000
 * concurrent requests for one API key arrive. Redis answers within milliseconds, so every reply is in a socket
 * buffer when the stalled process's deadlines come due: the admitted total must be exactly the limit, and the
 * processes' outage accounting must square with what Redis counted.
 *
 * A timeout Redis itself causes (slower than 250 ms on an overloaded machine) is a real outage decision: the test
 * still asks for exactly the limit, which the fallback keeps by following Redis's denials (in 50 runs by hand, one
 * had 10 such timeouts and admitted exactly 100); the accounting identity holds in every case.
 *
 * The stalls are injected from outside the example (a module given to `node --import` that listens on the
 * http.server.request.start diagnostics channel), so the example runs unchanged. `npm test` runs one burst per
 * target; RAK_STALL_RUNS=10 runs ten in a row against the same processes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { RedisClient } from '@redis-agent-kit/patterns';
import { defaultRateLimitKey, type OutageStats } from '@redis-agent-kit/patterns/ratelimit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDERS_POLICY } from '../../examples/rate-limiter/src/limiter.ts';
import { freePort } from '../src/targets/ports.ts';
import type { TargetInfo } from '../src/targets/types.ts';
import { clientFor, targets } from '../src/vitest/index.ts';

const PROCESSES = 3;
const REQUESTS = 1000;
const RUNS = Number(process.env.RAK_STALL_RUNS ?? 1);
/** Each process stalls on its STALL_OFFSET-th request and every STALL_EVERY requests after it. */
const STALL_EVERY = 150;
const STALL_OFFSET = 40;
const STALL_MS = [500, 1000] as const;
const SERVER = join(import.meta.dirname, '../../examples/rate-limiter/src/server.ts');

/** The stall injector, loaded into each app process with --import. */
const INJECTOR = `
import { subscribe } from 'node:diagnostics_channel';
let requests = 0;
subscribe('http.server.request.start', () => {
  if (++requests % ${STALL_EVERY} !== ${STALL_OFFSET}) return;
  const ms = ${STALL_MS[0]} + Math.random() * ${STALL_MS[1] - STALL_MS[0]};
  const end = performance.now() + ms;
  while (performance.now() < end) {}
  process.stderr.write('[stall] ' + Math.round(ms) + ' ms\\n');
});
`;

interface App {
  base: string;
  child: ChildProcess;
  stalls: number;
  stderr: string;
}

const apps: ChildProcess[] = [];

afterAll(async () => {
  await Promise.all(
    apps.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }),
  );
});

/** One example process with the injector; resolves once /healthz answers 200. */
async function startApp(target: TargetInfo): Promise<App> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', `data:text/javascript,${encodeURIComponent(INJECTOR)}`, SERVER],
    {
      env: {
        ...process.env,
        REDIS_URL: target.url,
        REDIS_CLUSTER: String(target.cluster),
        PORT: String(port),
        INSTANCES: String(PROCESSES),
        RATE_LIMIT_ALGORITHM: 'sliding-window-log',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  apps.push(child);
  const app: App = { base: `http://127.0.0.1:${port}`, child, stalls: 0, stderr: '' };
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = String(chunk);
    app.stderr += text;
    app.stalls += text.split('[stall]').length - 1;
  });
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`the example exited ${child.exitCode}: ${app.stderr}`);
    if (
      await fetch(`${app.base}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return app;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the example did not answer /healthz within 30 s: ${app.stderr}`);
}

async function outageStats(app: App): Promise<OutageStats> {
  const body = (await (await fetch(`${app.base}/healthz`)).json()) as { limiter: { outage: OutageStats } };
  return body.limiter.outage;
}

/** The processes' outage accounting once every timed-out command has its reply (or its failure). */
async function settledStats(running: App[]): Promise<OutageStats[]> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const stats = await Promise.all(running.map(outageStats));
    if (stats.every((s) => s.awaitingReplies === 0)) return stats;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('timed-out commands still had no reply after 10 s');
}

const sum = (stats: OutageStats[], field: keyof OutageStats) => stats.reduce((total, s) => total + s[field], 0);

describe('rate limiter under event-loop stalls: 3 example processes, 1000 concurrent requests', () => {
  for (const target of targets()) {
    describe(target.name, () => {
      let client: RedisClient;
      let running: App[];

      beforeAll(async () => {
        client = await clientFor(target);
        running = await Promise.all(Array.from({ length: PROCESSES }, () => startApp(target)));
      });

      it(`admits exactly the limit, ${RUNS} burst(s) in a row, while every process stalls`, async () => {
        const outcomes: string[] = [];
        let before = await Promise.all(running.map(outageStats));
        for (let run = 1; run <= RUNS; run++) {
          const apiKey = `stalls-${target.name}-${run}-${randomBytes(4).toString('hex')}`;
          const stallsBefore = running.map((app) => app.stalls);
          const statuses = await Promise.all(
            Array.from({ length: REQUESTS }, (_, i) =>
              fetch(`${(running[i % PROCESSES] as App).base}/api/orders`, {
                method: 'POST',
                headers: { 'x-api-key': apiKey },
              }).then(async (res) => {
                await res.arrayBuffer();
                return res.status;
              }),
            ),
          );
          const admitted = statuses.filter((s) => s === 201).length;
          expect(
            statuses.filter((s) => s !== 201 && s !== 429),
            `run ${run}: only 201 and 429`,
          ).toEqual([]);
          const stalls = running.map((app, i) => app.stalls - (stallsBefore[i] as number));
          expect(Math.min(...stalls), `run ${run}: every process stalled`).toBeGreaterThan(0);

          const after = await settledStats(running);
          const delta = after.map((s, i) => {
            const b = before[i] as OutageStats;
            return Object.fromEntries(
              Object.keys(s).map((k) => [k, s[k as keyof OutageStats] - b[k as keyof OutageStats]]),
            ) as unknown as OutageStats;
          });
          before = after;
          const key = `orders:ratelimit:sliding-window-log:{${defaultRateLimitKey({ headers: { 'x-api-key': apiKey } })}}`;
          const counted = await client.zcard(key);
          await client.unlink(key);
          outcomes.push(
            `run ${run}: ${admitted} admitted, Redis counted ${counted}, stalls ${stalls.join('/')}, ` +
              `timed out ${sum(delta, 'timedOut')}, outage decisions ${sum(delta, 'decisions')}`,
          );
          // Every admission beyond what Redis counted is one the fallback made and Redis did not count.
          expect(admitted, `run ${run}: accounting`).toBe(
            counted - sum(delta, 'countedDenials') + sum(delta, 'uncountedAdmissions'),
          );
          expect(admitted, outcomes.join('\n')).toBe(ORDERS_POLICY.limit);
        }
        console.log(`[stalls] ${target.name}\n  ${outcomes.join('\n  ')}`);
      });
    });
  }
});
