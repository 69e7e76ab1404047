/**
 * One redis-server or valkey-server process started from the provisioned binaries: a free loopback port,
 * a temp directory, no persistence. Every started process is tracked so it is stopped on exit, on Ctrl-C
 * and on test failure; `stop`, `kill`, `pause`, `resume` and `restart` are also the fault-injection hooks.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { binaryCommand, type ServerKind } from '../provision/binaries.ts';
import { DEFAULT_SUITE } from '../provision/debian.ts';
import type { DebianSuite } from './catalog.ts';
import { freePort } from './ports.ts';
import { waitUntilReady } from './wait-ready.ts';

export interface LocalServerOptions {
  kind: ServerKind;
  /** The Debian suite whose build to run (see the target table); default trixie (Redis 8.0, Valkey 8.1). */
  suite?: DebianSuite;
  port?: number;
  /** Extra `--option value` arguments (cluster mode, TLS, ACL, …). */
  args?: string[];
  /** Needs port + 10000 free as well. */
  clusterBus?: boolean;
  /** How to PING it when TLS-only (the harness then checks the process and log instead). */
  tlsOnly?: boolean;
}

const live = new Set<LocalServer>();

/** What each server that died unasked left in its log, so a long run can repeat it at its end. */
export const crashes: string[] = [];
let hooksInstalled = false;

/** Stops every server this process started (used on signals and by callers that exit early). */
export async function stopAllLocalServers(): Promise<void> {
  await Promise.all([...live].map((server) => server.stop()));
}

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
      void stopAllLocalServers().finally(() => process.exit(codes[signal]));
    });
  }
}

export class LocalServer {
  readonly kind: ServerKind;
  readonly suite: DebianSuite;
  readonly port: number;
  readonly dir: string;
  private readonly args: string[];
  private readonly tlsOnly: boolean;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** Set by halt and kill: an exit nobody asked for is a crash, reported with the server's own account of it. */
  private exitExpected = false;

  private constructor(kind: ServerKind, suite: DebianSuite, port: number, args: string[], tlsOnly: boolean) {
    this.kind = kind;
    this.suite = suite;
    this.port = port;
    this.args = args;
    this.tlsOnly = tlsOnly;
    this.dir = mkdtempSync(join(tmpdir(), `rak-${kind}-${port}-`));
  }

  static async start(options: LocalServerOptions): Promise<LocalServer> {
    // A free port can be taken by another process between the check and the server's bind (many test runs share
    // a machine): with a port of our choosing, such a start is tried again on new ports.
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await freePort(options.clusterBus));
      const suite = options.suite ?? DEFAULT_SUITE;
      const server = new LocalServer(options.kind, suite, port, options.args ?? [], options.tlsOnly ?? false);
      installExitHooks();
      live.add(server);
      try {
        await server.spawnAndWait();
        return server;
      } catch (error) {
        await server.stop();
        const portTaken = /Address already in use/.test((error as Error).message);
        if (!portTaken || options.port !== undefined || attempt >= 5) throw error;
      }
    }
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get logFile(): string {
    return join(this.dir, 'server.log');
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
    let log: string[] = [];
    try {
      log = readFileSync(this.logFile, 'utf8').trimEnd().split('\n');
    } catch {
      // no log written
    }
    const bugReport = log.findIndex((line) => /BUG REPORT START/.test(line));
    const lines = bugReport >= 0 ? log.slice(Math.max(0, bugReport - 2), bugReport + 40) : log.slice(-20);
    return [`exit code ${code ?? '-'}, signal ${signal ?? '-'}; its log (${this.logFile}):`, ...lines].join('\n');
  }

  private async spawnAndWait(): Promise<void> {
    const { command, args } = binaryCommand(this.kind, 'server', this.suite);
    const serverArgs = [
      ...(this.tlsOnly ? ['--port', '0', '--tls-port', String(this.port)] : ['--port', String(this.port)]),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--logfile',
      this.logFile,
      '--daemonize',
      'no',
      ...this.args,
    ];
    const child = spawn(command, [...args, ...serverArgs], { stdio: 'ignore' });
    this.child = child;
    // An exit during the start is reported by the readiness wait (a taken port is tried again, silently).
    this.exitExpected = true;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (this.exitExpected) return;
      const report = `${this.label} exited unexpectedly\n${this.crashReport(code, signal)}`;
      crashes.push(report);
      process.stderr.write(`${report}\n`);
    });
    await this.waitReady();
    this.exitExpected = false;
  }

  get label(): string {
    return `${this.kind}-server on port ${this.port}`;
  }

  private waitReady(): Promise<void> {
    return waitUntilReady(this, () => this.probe(), { timeoutMs: 15_000, intervalMs: 50 });
  }

  /** PING answered; a TLS-only server (no plain port to PING) is ready when its log says so. */
  private async probe(): Promise<void> {
    if (this.tlsOnly) {
      if (!/Ready to accept connections/.test(this.logTail(50))) throw new Error('not accepting connections yet');
      return;
    }
    const probe = new Redis({
      host: '127.0.0.1',
      port: this.port,
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    probe.on('error', () => {});
    try {
      await probe.connect();
      const reply = await probe.ping();
      if (reply !== 'PONG') throw new Error(`PING answered ${reply}`);
    } finally {
      probe.disconnect();
    }
  }

  /** SIGTERM, then SIGKILL after 5 s; keeps the directory so `restart` can bring it back. */
  async halt(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.exitExpected = true;
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Fault: the process dies at once, as in a crash. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.exitExpected = true;
    child.kill('SIGKILL');
    await this.exited;
  }

  /** Fault: the process stops answering but keeps its sockets (a frozen or overloaded server). */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** Starts the same server again on the same port (its data is gone: there is no persistence). */
  async restart(): Promise<void> {
    await this.halt();
    await this.spawnAndWait();
  }

  /** Stops the server and removes its directory. */
  async stop(): Promise<void> {
    await this.halt();
    live.delete(this);
    rmSync(this.dir, { recursive: true, force: true });
  }

  killNow(): void {
    this.exitExpected = true;
    try {
      this.child?.kill('SIGKILL');
    } catch {
      // already gone
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
