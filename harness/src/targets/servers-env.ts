/** The file `npm run servers` writes: its servers' URLs as shell assignments; and reading it back. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPORTS_DIR } from '../report.ts';
import type { TargetInfo } from './types.ts';

/**
 * `REDIS_URL` (redis-8, else the first single server: what an example, the MCP server or an app connects to),
 * `REDIS_TARGETS` (every target, for `npm test` and `npm run matrix` to reuse the running servers) and one
 * `RAK_<TARGET>_URL` per target (`_NODES` for a cluster). Loadable with `set -a; . reports/servers.env; set +a`.
 * A password in a URL (REDIS_TARGETS servers) is never written: the file says to set REDIS_PASSWORD instead.
 */
export function serversEnv(targets: Pick<TargetInfo, 'name' | 'url' | 'cluster' | 'nodes'>[], pid: number): string {
  const main = targets.find((t) => t.name === 'redis-8') ?? targets.find((t) => !t.cluster) ?? targets[0];
  const variable = (name: string) => targetUrlVariable(name).replace(/_URL$/, '');
  const url = (u: string) => {
    const parsed = new URL(u);
    if (!parsed.password) return u;
    parsed.password = '';
    return parsed.toString();
  };
  const redacted = targets.some((t) => [t.url, ...t.nodes].some((u) => url(u) !== u));
  return [
    `# Written by npm run servers (pid ${pid}); deleted when it stops. Load with: set -a; . <this file>; set +a`,
    ...(redacted ? ['# Passwords are left out of these URLs: set REDIS_PASSWORD (and REDIS_USERNAME) yourself.'] : []),
    ...(main ? [`REDIS_URL=${url(main.url)}`, ...(main.cluster ? ['REDIS_CLUSTER=true'] : [])] : []),
    `REDIS_TARGETS=${targets.map((t) => `${t.name}=${url(t.url)}`).join(',')}`,
    ...targets.flatMap((t) => [
      `${variable(t.name)}_URL=${url(t.url)}`,
      ...(t.cluster ? [`${variable(t.name)}_NODES=${t.nodes.map(url).join(',')}`] : []),
    ]),
    '',
  ].join('\n');
}

/** The default place of that file; RAK_SERVERS_ENV names another (as scripts/mcp-server.sh reads it). */
export function serversEnvPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.RAK_SERVERS_ENV || join(REPORTS_DIR, 'servers.env');
}

export interface ServersFile {
  /** The `npm run servers` process that wrote the file. */
  pid: number;
  /** Its assignments, e.g. REDIS_URL, RAK_REDIS_8_URL. */
  vars: Record<string, string>;
}

/** Reads what serversEnv wrote: the writer's pid from the first line and every `NAME=value`. */
export function parseServersEnv(text: string): ServersFile | undefined {
  const pid = Number(/^# Written by npm run servers \(pid (\d+)\)/.exec(text)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m?.[1] && m[2] !== undefined) vars[m[1]] = m[2];
  }
  return { pid, vars };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The servers of a running `npm run servers`, or why there are none: no file, or a file whose writer is gone (it
 * deletes the file when it stops, but not when it is SIGKILLed).
 */
export function liveServers(file: string): ServersFile | { missing: string } {
  if (!existsSync(file)) return { missing: `no ${file}` };
  const parsed = parseServersEnv(readFileSync(file, 'utf8'));
  if (!parsed) return { missing: `${file} was not written by npm run servers` };
  if (!alive(parsed.pid)) return { missing: `${file} is stale (its npm run servers, pid ${parsed.pid}, is gone)` };
  return parsed;
}

/** The variable serversEnv writes a target's URL to: `redis-8` → `RAK_REDIS_8_URL`. */
export function targetUrlVariable(name: string): string {
  return `RAK_${name.toUpperCase().replace(/\W/g, '_')}_URL`;
}
