/**
 * `npm run example -- <name>[:<script>] [args…]`: runs `npm start` (or `npm run <script>`) in examples/<name> with
 * REDIS_URL pointing at a Redis, so a new user sees the example work without installing Redis:
 * - the Redis of a running `npm run servers` when there is one (its reports/servers.env, or RAK_SERVERS_ENV): the
 *   same server across runs and scripts, so a runbook (start, seed, migrate, switch, restart) can be walked;
 * - otherwise, for `start`, a local Redis 8 (or RAK_EXAMPLE_TARGET=valkey-8.1 / redis-cluster …) started for this
 *   run and stopped when the example exits or on Ctrl-C. Any other script needs the servers of `npm run servers`:
 *   a `migrate` against a Redis that goes away with it would show nothing.
 * On a Redis with no key at all, `key-audit` without arguments gets `--demo`, so its first run audits something.
 * What it says goes to stderr: stdout is the example's (`npm run --silent example -- key-audit | jq` works).
 * The example itself never imports the harness: copied out of the monorepo it runs with `npm start` alone.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeClient, connect, redactUrl } from '@redis-agent-kit/patterns';
import { Cluster } from 'ioredis';
import { EXAMPLES_DIR, exampleNames } from './discover.ts';
import { TARGET_NAMES } from './targets/catalog.ts';
import { localProvider } from './targets/local.ts';
import { liveServers, serversEnvPath, targetUrlVariable } from './targets/servers-env.ts';
import type { RunningTarget } from './targets/types.ts';

/** Arguments an example gets on a server without keys when the user gave none: what makes its first run show data. */
const WHEN_EMPTY: Record<string, string[]> = { 'key-audit': ['--demo'] };

function usage(message: string): never {
  console.error(
    `${message}\nusage: npm run example -- <name>[:<script>] [args…]\nexamples: ${exampleNames().join(', ')}`,
  );
  process.exit(2);
}

const [spec, ...given] = process.argv.slice(2);
const [name, script = 'start'] = (spec ?? '').split(':');
if (!name || !exampleNames().includes(name)) usage(spec ? `no example "${name}"` : 'which example?');
const exampleDir = join(EXAMPLES_DIR, name);
const scripts = Object.keys(
  (JSON.parse(readFileSync(join(exampleDir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> })
    .scripts ?? {},
);
if (!scripts.includes(script)) usage(`examples/${name} has no script "${script}"; it has: ${scripts.join(', ')}`);
const explicitTarget = process.env.RAK_EXAMPLE_TARGET;
const targetName = explicitTarget ?? 'redis-8';

/** Whether no master of the server holds a key. */
async function holdsNoKeys(url: string, cluster: boolean): Promise<boolean> {
  const client = await connect({ url, cluster });
  try {
    const masters = client instanceof Cluster ? client.nodes('master') : [client];
    return (await Promise.all(masters.map((m) => m.dbsize()))).every((n) => n === 0);
  } finally {
    await closeClient(client);
  }
}

const file = serversEnvPath();
const servers = liveServers(file);
let redis: { url: string; cluster: boolean };
let started: RunningTarget | undefined;
if ('vars' in servers) {
  // The target asked for, else (no RAK_EXAMPLE_TARGET) the file's REDIS_URL: whatever `npm run servers` started.
  const url = servers.vars[targetUrlVariable(targetName)] ?? (explicitTarget ? undefined : servers.vars.REDIS_URL);
  if (!url) {
    usage(
      `${file} (npm run servers, pid ${servers.pid}) has no ${targetName}: start it with ` +
        `npm run servers -- --targets ${targetName}, or unset RAK_EXAMPLE_TARGET`,
    );
  }
  const cluster = servers.vars[targetUrlVariable(targetName).replace(/_URL$/, '_NODES')] !== undefined;
  redis = { url, cluster: cluster || (!explicitTarget && servers.vars.REDIS_CLUSTER === 'true') };
  console.error(`[example] Redis from npm run servers (${file}): ${redactUrl(url)}`);
} else if (script === 'start') {
  if (!TARGET_NAMES.includes(targetName)) usage(`RAK_EXAMPLE_TARGET must be one of ${TARGET_NAMES.join(', ')}`);
  started = await localProvider.start(targetName, { log: (line) => console.error(line) });
  redis = { url: started.url, cluster: started.cluster };
  console.error(
    `[example] ${targetName} on ${redactUrl(started.url)}, for this run only (${servers.missing}); ` +
      'run `npm run servers` in another terminal for a Redis that outlives the example',
  );
} else {
  usage(
    `${name}:${script} uses the Redis of the running example, and there is none (${servers.missing}). ` +
      `Start one in another terminal with \`npm run servers -- --targets ${targetName}\`, then ` +
      `\`npm run example -- ${name}\` uses it too.`,
  );
}

const whenEmpty = script === 'start' && given.length === 0 ? WHEN_EMPTY[name] : undefined;
const args = whenEmpty && (await holdsNoKeys(redis.url, redis.cluster)) ? whenEmpty : given;
if (args !== given) console.error(`[example] the server holds no key: running it with ${args.join(' ')}`);
console.error(`[example] examples/${name}: npm run ${script}${args.length ? ` -- ${args.join(' ')}` : ''}`);

// Its own process group, so a signal reaches npm and the node process npm started (npm does not forward it).
const child = spawn('npm', ['run', script, '--silent', '--', ...args], {
  cwd: exampleDir,
  stdio: 'inherit',
  detached: true,
  env: {
    ...process.env,
    REDIS_URL: redis.url,
    ...(redis.cluster ? { REDIS_CLUSTER: 'true' } : {}),
    // Inside the monorepo the patterns package resolves to its TypeScript sources: no build step needed.
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=source`.trim(),
  },
});
const signalGroup = (signal: NodeJS.Signals) => {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // the group is already gone
  }
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => signalGroup(signal));
const code = await new Promise<number>((resolve) => child.once('exit', (c, s) => resolve(c ?? (s ? 130 : 1))));
signalGroup('SIGTERM');
await started?.stop();
process.exit(code);
