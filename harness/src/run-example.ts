/**
 * `npm run example -- <name> [args…]`: starts a local Redis 8 (or RAK_EXAMPLE_TARGET=valkey-8.1 / redis-cluster)
 * through the harness, then runs `npm start` in examples/<name> with REDIS_URL pointing at it, so a new user sees
 * the example work without installing Redis. The server is stopped when the example exits or on Ctrl-C.
 * The example itself never imports the harness: copied out of the monorepo it runs with `npm start` alone.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { redactUrl } from '@redis-agent-kit/patterns';
import { EXAMPLES_DIR, exampleNames } from './discover.ts';
import { localProvider } from './targets/local.ts';
import { TARGET_NAMES } from './targets/catalog.ts';

const [name, ...args] = process.argv.slice(2);
const examples = exampleNames();
if (!name || !examples.includes(name)) {
  console.error(`usage: npm run example -- <name> [args…]\nexamples: ${examples.join(', ')}`);
  process.exit(2);
}
const targetName = process.env.RAK_EXAMPLE_TARGET ?? 'redis-8';
if (!TARGET_NAMES.includes(targetName)) {
  console.error(`RAK_EXAMPLE_TARGET must be one of ${TARGET_NAMES.join(', ')}`);
  process.exit(2);
}

const target = await localProvider.start(targetName);
console.log(`[example] ${targetName} on ${redactUrl(target.url)}; starting examples/${name}`);
// Its own process group, so a signal reaches npm and the node process npm started (npm does not forward it).
const child = spawn('npm', ['start', '--silent', '--', ...args], {
  cwd: join(EXAMPLES_DIR, name),
  stdio: 'inherit',
  detached: true,
  env: {
    ...process.env,
    REDIS_URL: target.url,
    ...(target.cluster ? { REDIS_CLUSTER: 'true' } : {}),
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
await target.stop();
process.exit(code);
