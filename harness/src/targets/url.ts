/**
 * The `url` provider: servers that already run, each under a name of the user's choosing, in REDIS_TARGETS, e.g.
 *   REDIS_TARGETS="prod=rediss://cache.internal:6380,staging=redis://10.0.0.5:6379"
 * A cluster is recognised by asking the server. Stopping does nothing: the harness did not start them. What the
 * matrix writes there, and what it refuses to do there, is in harness/src/matrix/shared-server.ts.
 */
import { redactUrl } from '@redis-agent-kit/patterns';
import { runningTarget } from './describe.ts';
import type { Provider, RunningTarget, TargetName } from './types.ts';

/** A target name: a letter or digit, then letters, digits, `.`, `_` or `-` (it names report columns and files). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

export function parseTargetUrls(spec: string): Map<TargetName, string> {
  const targets = new Map<TargetName, string>();
  for (const entry of spec
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const at = entry.indexOf('=');
    const name = entry.slice(0, at);
    const url = entry.slice(at + 1);
    if (at < 1 || !NAME.test(name) || !/^rediss?:\/\//.test(url)) {
      throw new Error(
        `REDIS_TARGETS entry "${redactUrl(entry)}" is not <name>=<redis url>: a name of up to 40 letters, digits, ` +
          '".", "_" or "-", then a redis:// or rediss:// URL, e.g. prod=redis://10.0.0.5:6379',
      );
    }
    if (targets.has(name)) throw new Error(`REDIS_TARGETS names ${name} twice`);
    targets.set(name, url);
  }
  return targets;
}

export function urlProvider(spec: string): Provider & { names: TargetName[] } {
  const urls = parseTargetUrls(spec);
  return {
    name: 'url',
    names: [...urls.keys()],
    async start(name: TargetName): Promise<RunningTarget> {
      const url = urls.get(name);
      if (!url) throw new Error(`REDIS_TARGETS names no ${name}`);
      // Connected as a standalone server first; what the server reports decides whether it is a cluster.
      const probed = await runningTarget(
        { name, provider: 'url', url, cluster: false, nodes: [url], pids: [] },
        async () => {},
      );
      if (!probed.capabilities.cluster) return probed;
      return runningTarget({ name, provider: 'url', url, cluster: true, nodes: [url], pids: [] }, async () => {});
    },
  };
}
