/**
 * `npm start`: the jobs API on PORT (default 3000) against REDIS_URL (REDIS_CLUSTER=true for a cluster), plus
 * WORKERS worker processes (default 2; 0 for the API alone, with workers started by `npm run worker` elsewhere).
 */
import { fork } from 'node:child_process';
import { closeClient, connect, describeClient } from '@redis-agent-kit/patterns';
import { createApp } from './app.ts';
import { createJobsQueue, jobsConfig } from './jobs.ts';

const port = Number(process.env.PORT ?? 3000);
const workerCount = Number(process.env.WORKERS ?? 2);
if (!Number.isInteger(workerCount) || workerCount < 0 || workerCount > 32) {
  console.error(`WORKERS must be an integer from 0 to 32, got "${process.env.WORKERS}"`);
  process.exit(2);
}

const config = jobsConfig();
const client = await connect({ name: 'jobs-api' });
const queue = createJobsQueue(client, config);
const server = createApp({ client, queue, config }).listen(port, () => {
  console.log(
    `[api] listening on http://localhost:${port} (Redis ${describeClient(client)}, queue ${queue.name}, ${workerCount} worker(s))`,
  );
});

const workers = Array.from({ length: workerCount }, () => fork(new URL('./worker.ts', import.meta.url)));
for (const child of workers) {
  child.once('exit', (code, signal) => console.log(`[api] worker ${child.pid} exited (${signal ?? code})`));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    const exited = workers
      .filter((w) => w.exitCode === null && w.signalCode === null)
      .map((w) => new Promise((r) => w.once('exit', r)));
    for (const w of workers) w.kill('SIGTERM');
    void Promise.all(exited)
      .finally(() => closeClient(client))
      .finally(() => process.exit(0));
  });
}
