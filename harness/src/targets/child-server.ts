/**
 * What the harness's own servers (redis-server and valkey-server in `local-server.ts`, PostgreSQL in
 * `postgres.ts`) share: one child process and its exit, a log file, a report when the process dies unasked, and
 * the exit hooks that stop every server this process started, however it ends.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** What each server that died unasked left in its log, so a long run can repeat it at its end. */
export const crashes: string[] = [];

const live = new Set<ChildServer>();
let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // Last resort when the process exits without stopping its servers: kill them synchronously.
  process.once('exit', () => {
    for (const server of live) server.killNow();
  });
  // On Ctrl-C and termination, stop them properly and wait, so they are reaped rather than left as zombies.
  const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
  for (const signal of Object.keys(codes) as (keyof typeof codes)[]) {
    process.once(signal, () => {
      void Promise.allSettled([...live].map((server) => server.stop())).finally(() => process.exit(codes[signal]));
    });
  }
}

export abstract class ChildServer {
  abstract readonly label: string;
  abstract readonly logFile: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** Set until the server is ready and again by every stop: an exit at any other time is a crash. */
  private exitExpected = true;

  /** Stops the server and removes its directory. */
  abstract stop(): Promise<void>;
  /** Synchronous last resort at exit: the process killed and the directory removed. */
  abstract killNow(): void;

  /** Counts the server among those the exit hooks stop; call before starting it. */
  protected track(): void {
    installExitHooks();
    live.add(this);
  }

  protected untrack(): void {
    live.delete(this);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  logTail(lines = 15): string {
    try {
      return readFileSync(this.logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /**
   * The exit status and the part of the log that says why: from Redis's and Valkey's bug report (signal, stack
   * trace) when there is one, else the last lines. Printed at once because the directory goes with `stop`.
   */
  crashReport(code: number | null, signal: NodeJS.Signals | null): string {
    const log = this.logTail(Number.MAX_SAFE_INTEGER).split('\n');
    const bugReport = log.findIndex((line) => /BUG REPORT START/.test(line));
    const lines = bugReport >= 0 ? log.slice(Math.max(0, bugReport - 2), bugReport + 40) : log.slice(-20);
    return [`exit code ${code ?? '-'}, signal ${signal ?? '-'}; its log (${this.logFile}):`, ...lines].join('\n');
  }

  /**
   * Takes `child` as the server's process, then waits for `ready`. An exit during the start is the readiness
   * wait's to report (a taken port is tried again, silently); one after it is a crash, reported at once.
   */
  protected async adopt(child: ChildProcess, ready: () => Promise<void>): Promise<void> {
    this.child = child;
    this.exitExpected = true;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (this.exitExpected) return;
      const report = `${this.label} exited unexpectedly\n${this.crashReport(code, signal)}`;
      crashes.push(report);
      process.stderr.write(`${report}\n`);
    });
    await ready();
    this.exitExpected = false;
  }

  /** Sends `signal` (SIGKILL after `killAfterMs`) and waits for the exit; nothing to do when not running. */
  protected async signalAndWait(signal: NodeJS.Signals, killAfterMs: number): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.exitExpected = true;
    if (signal !== 'SIGKILL') child.kill('SIGCONT'); // a paused server cannot act on its signal
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Sends `signal` without waiting: for the synchronous exit hook and the pause/resume faults. */
  protected signal(signal: NodeJS.Signals): void {
    if (signal === 'SIGKILL' || signal === 'SIGQUIT') this.exitExpected = true;
    try {
      this.child?.kill(signal);
    } catch {
      // already gone
    }
  }
}
