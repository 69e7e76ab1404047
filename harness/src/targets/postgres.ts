/**
 * A real PostgreSQL for the session migration's legacy side, beside the embedded PGlite: Debian's server binaries
 * (`apt-get install postgresql`, bookworm's 15; `.ci/run` installs it), a private cluster made with `initdb` in a
 * temp directory and served on a free loopback port, never a system service.
 *
 * - initdb refuses to run as root, so as root the directory belongs to the `postgres` user and initdb and the
 *   server run as that user (`runuser`, `setpriv`); as any other user they run as that user.
 * - The postmaster is this process's child (`setpriv --pdeathsig SIGQUIT`): it shuts down at once when this process
 *   dies, however it dies (Ctrl-C, a failed test, SIGKILL), so no run leaves a server behind. `stop()` (and an exit
 *   hook) also removes the directory.
 * - TCP logins need a password (scram-sha-256, random per cluster), as a real deployment would; the URL holds it,
 *   `display` does not.
 * - fsync, synchronous_commit and full_page_writes are off: a throwaway cluster on a shared CI machine. A server
 *   process that crashes still loses nothing the OS has (only a machine crash would).
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { redactUrl } from '@redis-agent-kit/patterns';
import pg from 'pg';
import { ChildServer } from './child-server.ts';
import { freePort } from './ports.ts';
import { waitUntilReady } from './wait-ready.ts';

export class PostgresMissingError extends Error {
  override readonly name = 'PostgresMissingError';
}

const HOW_TO_GET =
  "Install Debian's PostgreSQL server (`apt-get install postgresql`: bookworm ships 15; `.ci/run` does this), " +
  'or set PG_BINDIR to a directory holding initdb and postgres.';

/** The directory holding `initdb` and `postgres`: PG_BINDIR, else the newest /usr/lib/postgresql/<major>/bin, else PATH. */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string {
  const has = (dir: string) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'));
  if (env.PG_BINDIR) {
    if (has(env.PG_BINDIR)) return env.PG_BINDIR;
    throw new PostgresMissingError(`PG_BINDIR=${env.PG_BINDIR} holds no initdb and postgres. ${HOW_TO_GET}`);
  }
  const debian = '/usr/lib/postgresql';
  const majors = existsSync(debian)
    ? readdirSync(debian)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const major of majors) if (has(join(debian, major, 'bin'))) return join(debian, major, 'bin');
  for (const dir of (env.PATH ?? '').split(':')) if (dir && has(dir)) return dir;
  throw new PostgresMissingError(
    `No PostgreSQL server binaries (initdb, postgres) in ${debian}/*/bin or on PATH. ${HOW_TO_GET}`,
  );
}

/** The user to run the server as: `postgres` when this process is root (initdb refuses root), else this one. */
function serverUser(): { uid: number; gid: number; name: string } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: 'pipe' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g'), name: 'postgres' };
  } catch {
    throw new PostgresMissingError(
      `Running as root, but there is no postgres user to run PostgreSQL as (initdb refuses root). ${HOW_TO_GET}`,
    );
  }
}

export interface LocalPostgresOptions {
  /** Default: a free loopback port. */
  port?: number;
  /** Default: PG_BINDIR, /usr/lib/postgresql/<newest>/bin, PATH. */
  binDir?: string;
}

export class LocalPostgres extends ChildServer {
  readonly port: number;
  readonly dir: string;
  readonly binDir: string;
  /** `PostgreSQL 15.18 (Debian …)`, from `postgres --version`. */
  readonly version: string;
  private readonly password = randomBytes(12).toString('base64url');
  private readonly user: ReturnType<typeof serverUser>;

  private constructor(port: number, binDir: string) {
    super();
    this.port = port;
    this.binDir = binDir;
    this.user = serverUser();
    this.version = execFileSync(join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' })
      .trim()
      .replace(/^postgres \(PostgreSQL\) /, 'PostgreSQL ');
    this.dir = mkdtempSync(join(tmpdir(), `rak-postgres-${port}-`));
  }

  /** initdb, then the server; throws PostgresMissingError (saying how to install it) without the binaries. */
  static async start(options: LocalPostgresOptions = {}): Promise<LocalPostgres> {
    const binDir = options.binDir ?? postgresBinDir();
    const server = new LocalPostgres(options.port ?? (await freePort()), binDir);
    server.track();
    try {
      await server.initdb();
      await server.spawnAndWait();
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /** `postgres://rak:<password>@127.0.0.1:<port>/postgres`: for clients, never for messages (see `display`). */
  get url(): string {
    return `postgres://rak:${this.password}@127.0.0.1:${this.port}/postgres`;
  }

  get display(): string {
    return redactUrl(this.url);
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  get logFile(): string {
    return join(this.dir, 'server.log');
  }

  /** A command line run as the server's user: `runuser`/`setpriv` when root, as is otherwise. */
  private asServerUser(command: string, args: string[], deathSignal: boolean): { command: string; args: string[] } {
    const pdeath = deathSignal ? ['--pdeathsig', 'QUIT'] : [];
    if (this.user) {
      return {
        command: 'setpriv',
        args: [
          '--reuid',
          this.user.name,
          '--regid',
          this.user.name,
          '--init-groups',
          ...pdeath,
          '--',
          command,
          ...args,
        ],
      };
    }
    return deathSignal ? { command: 'setpriv', args: [...pdeath, '--', command, ...args] } : { command, args };
  }

  private async initdb(): Promise<void> {
    chmodSync(this.dir, 0o700);
    const pwfile = join(this.dir, 'pwfile');
    writeFileSync(pwfile, `${this.password}\n`, { mode: 0o600 });
    if (this.user) {
      chownSync(this.dir, this.user.uid, this.user.gid);
      chownSync(pwfile, this.user.uid, this.user.gid);
    }
    const { command, args } = this.asServerUser(
      join(this.binDir, 'initdb'),
      [
        ...['-D', this.dataDir, '-U', 'rak', '--pwfile', pwfile],
        ...['--auth-local', 'trust', '--auth-host', 'scram-sha-256', '--encoding', 'UTF8', '--locale', 'C.UTF-8', '-N'],
      ],
      false,
    );
    try {
      await promisify(execFile)(command, args, { timeout: 60_000 });
    } catch (error) {
      const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
      throw new Error(`initdb failed in ${this.dir}: ${stderr || (error as Error).message}`, { cause: error });
    } finally {
      rmSync(pwfile, { force: true });
    }
  }

  private async spawnAndWait(): Promise<void> {
    const { command, args } = this.asServerUser(
      join(this.binDir, 'postgres'),
      [
        ...['-D', this.dataDir, '-p', String(this.port), '-k', this.dir],
        ...['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off'],
        ...['-c', 'full_page_writes=off', '-c', `log_directory=${this.dir}`, '-c', 'logging_collector=off'],
      ],
      true,
    );
    const log = openSync(this.logFile, 'a');
    const child = spawn(command, args, { stdio: ['ignore', log, log] });
    closeSync(log);
    // A command that simply ends (the matrix) must not wait for the server: the exit hook stops it then.
    child.unref();
    await this.adopt(child, () => this.waitReady());
  }

  get label(): string {
    return `PostgreSQL on port ${this.port}`;
  }

  private waitReady(): Promise<void> {
    return waitUntilReady(
      this,
      async () => {
        const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 1000 });
        client.on('error', () => {});
        try {
          await client.connect();
          await client.query('SELECT 1');
        } finally {
          await client.end().catch(() => {});
        }
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  }

  /** Fast shutdown (SIGINT: open sessions are ended), SIGKILL after 10 s; the data stays for `restart`. */
  halt(): Promise<void> {
    return this.signalAndWait('SIGINT', 10_000);
  }

  /** The same cluster again on the same port, its data kept. */
  async restart(): Promise<void> {
    await this.halt();
    await this.spawnAndWait();
  }

  async stop(): Promise<void> {
    await this.halt();
    this.untrack();
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
  }

  /** Immediate shutdown (SIGQUIT), then the directory removed once the server has let go of it. */
  killNow(): void {
    const pid = this.running ? this.pid : undefined;
    if (pid) {
      this.signal('SIGQUIT');
      // Removing the directory while the server still writes its last files would leave some behind.
      waitForExitSync(pid, 5000);
    }
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Blocks until the process has exited (gone, or a zombie awaiting its parent) or `timeoutMs` passed. */
function waitForExitSync(pid: number, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < deadline) {
    let state: string | undefined;
    try {
      state = /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
    } catch {
      return;
    }
    if (state === 'Z' || state === 'X') return;
    Atomics.wait(pause, 0, 0, 20);
  }
}

let shared: Promise<LocalPostgres> | undefined;

/** One private PostgreSQL per process, started on first use (about a second); stop it with `stopSharedPostgres`. */
export function sharedPostgres(): Promise<LocalPostgres> {
  shared ??= LocalPostgres.start();
  // A failed start is not cached: the next caller gets the same clear error, not a stale rejection.
  shared.catch(() => {
    shared = undefined;
  });
  return shared;
}

export async function stopSharedPostgres(): Promise<void> {
  const started = shared;
  shared = undefined;
  await (await started?.catch(() => undefined))?.stop();
}
