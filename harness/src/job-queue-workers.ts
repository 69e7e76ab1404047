/**
 * Worker processes of examples/job-queue (its `src/worker.ts`, exactly as `npm run worker` starts it), for the fault
 * scenario and the chaos benchmark that kill them: each one's running jobs are tracked from its log, so the one
 * holding the most can be killed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { EXAMPLES_DIR } from './discover.ts';

export interface WorkerProcess {
  child: ChildProcess;
  /** Jobs started and not finished, by id (from its log). */
  running: Set<string>;
  ready: Promise<void>;
}

export interface WorkerFleet {
  readonly workers: WorkerProcess[];
  /** Jobs whose handler finished again after an earlier completion (the idempotent handler kept one result). */
  readonly reruns: number;
  start(): WorkerProcess;
  /** SIGKILLs the live worker holding the most running jobs; returns how many it held. */
  killBusiest(): number;
  /** SIGKILLs every worker still running and waits for them to exit. */
  stopAll(): Promise<void>;
}

/** `env` is the worker's environment on top of this process's: REDIS_URL, JOBS_PREFIX, CONCURRENCY, … */
export function workerFleet(env: Record<string, string>): WorkerFleet {
  const workers: WorkerProcess[] = [];
  let reruns = 0;
  const live = () => workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
  return {
    workers,
    get reruns() {
      return reruns;
    },
    start() {
      const child = spawn(
        process.execPath,
        ['--conditions=source', join(EXAMPLES_DIR, 'job-queue', 'src', 'worker.ts')],
        {
          env: { ...process.env, ...env },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      const running = new Set<string>();
      const ready = new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready`)));
        createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
          const [, event, id, again] = /\] (ready|started|finished) ?(\S+)? ?(again)?/.exec(line) ?? [];
          if (event === 'ready') resolve();
          else if (event === 'started' && id) running.add(id);
          else if (event === 'finished' && id) {
            running.delete(id);
            if (again) reruns++;
          }
        });
      });
      ready.catch(() => {});
      const worker = { child, running, ready };
      workers.push(worker);
      return worker;
    },
    killBusiest() {
      const victim = live().sort((a, b) => b.running.size - a.running.size)[0];
      if (!victim) throw new Error('no live worker to kill');
      victim.child.kill('SIGKILL');
      return victim.running.size;
    },
    async stopAll() {
      const running = live();
      for (const { child } of running) child.kill('SIGKILL');
      await Promise.all(running.map(({ child }) => new Promise((r) => child.once('exit', r))));
    },
  };
}
