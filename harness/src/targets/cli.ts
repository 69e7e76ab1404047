/**
 * `npm run servers [-- options]`: starts the targets, writes their URLs to reports/servers.env (so examples, the
 * MCP server and your own app can use the same servers), and keeps them up until it is told to stop. Ctrl-C,
 * SIGTERM or SIGHUP (to npm or to this process), or the death of the process that started it, stops every server
 * and deletes the file. The `servers` script `exec`s node, so npm's forwarded signals reach this process.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startTargets, TargetSelectionError } from './index.ts';
import { serversEnv, serversEnvPath } from './servers-env.ts';

const USAGE = `Usage: npm run servers -- [options]

Starts the targets and keeps them up until Ctrl-C (or SIGTERM), then stops every server.

Options:
  --targets NAME,NAME   start only these targets (default: all; see harness/src/targets/catalog.ts)
  --port N              fixed ports from N, in order (a cluster takes six), instead of free ones
  --urls-file PATH      where to write the URLs (default reports/servers.env, or RAK_SERVERS_ENV)
  -h, --help            print this and exit

Then, in another shell: set -a; . reports/servers.env; set +a
(REDIS_URL for an example or your app, REDIS_TARGETS for npm test and npm run matrix to reuse these servers;
the MCP server of .codex/config.toml reads REDIS_URL from the file when the environment has none).`;

function usageError(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

// Not --env-file: Node takes that flag for itself wherever it appears on the command line.
let options: { targets?: string; port?: string; 'urls-file'?: string; help?: boolean };
try {
  options = parseArgs({
    options: {
      targets: { type: 'string' },
      port: { type: 'string' },
      'urls-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (error) {
  usageError((error as Error).message);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}
const port = options.port === undefined ? undefined : Number(options.port);
if (port !== undefined && !(Number.isInteger(port) && port >= 1024 && port <= 55_000))
  usageError(`--port must be a whole number from 1024 to 55000 (a cluster's bus ports are 10000 higher)`);
const envFile = options['urls-file'] ?? serversEnvPath();

const started = await startTargets(console.log, {
  wanted: options.targets
    ?.split(',')
    .map((t) => t.trim())
    .filter(Boolean),
  port,
}).catch((error: unknown) =>
  error instanceof TargetSelectionError ? usageError(error.message) : Promise.reject(error),
);

writeFileSync(envFile, serversEnv(started.targets, process.pid));
// Runs on every exit, including the one the local provider's signal hooks make after stopping its servers.
process.once('exit', () => rmSync(envFile, { force: true }));

let stopping = false;
function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  void started.stop().finally(() => process.exit(code));
}
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const)
  process.on(signal, () => stop(code));
// When whatever started this process dies without a signal reaching it (npm killed, a terminal gone), the process
// is re-parented: stop the servers then too, rather than leave them running with nobody to stop them.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop(129);
}, 500);

console.log(`[servers] wrote ${envFile}`);
console.log(
  `[servers] running (pid ${process.pid}, servers ${JSON.stringify(started.targets.flatMap((t) => t.pids))}); ` +
    'Ctrl-C or SIGTERM stops them',
);
