/** The file `npm run servers` writes: its servers' URLs as shell assignments. */
import type { TargetInfo } from './types.ts';

/**
 * `REDIS_URL` (redis-8, else the first single server: what an example, the MCP server or an app connects to),
 * `REDIS_TARGETS` (every target, for `npm test` and `npm run matrix` to reuse the running servers) and one
 * `RAK_<TARGET>_URL` per target (`_NODES` for a cluster). Loadable with `set -a; . reports/servers.env; set +a`.
 * A password in a URL (REDIS_TARGETS servers) is never written: the file says to set REDIS_PASSWORD instead.
 */
export function serversEnv(targets: Pick<TargetInfo, 'name' | 'url' | 'cluster' | 'nodes'>[], pid: number): string {
  const main = targets.find((t) => t.name === 'redis-8') ?? targets.find((t) => !t.cluster) ?? targets[0];
  const variable = (name: string) => `RAK_${name.toUpperCase().replace(/\W/g, '_')}`;
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
