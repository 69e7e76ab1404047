/**
 * One redis-server or valkey-server process started from the provisioned binaries: a free loopback port,
 * a temp directory, no persistence. Every started process is tracked so it is stopped on exit, on Ctrl-C
 * and on test failure; `stop`, `kill`, `pause`, `resume` and `restart` are also the fault-injection hooks.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { binaryCommand, type ServerKind } from '../provision/binaries.ts';
import { DEFAULT_SUITE } from '../provision/debian.ts';
import type { DebianSuite } from './catalog.ts';
import { ChildServer } from './child-server.ts';
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

export class LocalServer extends ChildServer {
  readonly kind: ServerKind;
  readonly suite: DebianSuite;
  readonly port: number;
  readonly dir: string;
  private readonly args: string[];
  private readonly tlsOnly: boolean;

  private constructor(kind: ServerKind, suite: DebianSuite, port: number, args: string[], tlsOnly: boolean) {
    super();
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
      server.track();
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

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get logFile(): string {
    return join(this.dir, 'server.log');
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
    await this.adopt(child, () => this.waitReady());
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
  halt(): Promise<void> {
    return this.signalAndWait('SIGTERM', 5000);
  }

  /** Fault: the process dies at once, as in a crash. */
  kill(): Promise<void> {
    return this.signalAndWait('SIGKILL', 0);
  }

  /** Fault: the process stops answering but keeps its sockets (a frozen or overloaded server). */
  pause(): void {
    this.signal('SIGSTOP');
  }

  resume(): void {
    this.signal('SIGCONT');
  }

  /** Starts the same server again on the same port (its data is gone: there is no persistence). */
  async restart(): Promise<void> {
    await this.halt();
    await this.spawnAndWait();
  }

  async stop(): Promise<void> {
    await this.halt();
    this.untrack();
    rmSync(this.dir, { recursive: true, force: true });
  }

  killNow(): void {
    this.signal('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
