/**
 * The `url` provider: servers that already run, named in REDIS_TARGETS, e.g.
 *   REDIS_TARGETS="redis-8=redis://127.0.0.1:6379,valkey-8.1=redis://127.0.0.1:6380,redis-cluster=redis://127.0.0.1:7000"
 * A cluster is recognised by asking the server. Stopping does nothing: the harness did not start them.
 */
import { redactUrl } from '@redis-agent-kit/patterns';
import { runningTarget } from './describe.ts';
import { type Provider, type RunningTarget, TARGET_NAMES, type TargetName } from './types.ts';

export function parseTargetUrls(spec: string): Map<TargetName, string> {
  const targets = new Map<TargetName, string>();
  for (const entry of spec
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const at = entry.indexOf('=');
    const name = entry.slice(0, at) as TargetName;
    const url = entry.slice(at + 1);
    if (at < 1 || !TARGET_NAMES.includes(name) || !/^rediss?:\/\//.test(url)) {
      throw new Error(
        `REDIS_TARGETS entry "${redactUrl(entry)}" is not <name>=<redis url>, with name one of ${TARGET_NAMES.join(', ')}`,
      );
    }
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
      // Probed as a cluster when named so; what the server reports decides.
      const target = await runningTarget(
        { name, provider: 'url', url, cluster: name === 'redis-cluster', nodes: [url], pids: [] },
        async () => {},
      );
      return { ...target, cluster: target.capabilities.cluster };
    },
  };
}
