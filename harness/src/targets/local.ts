/** The `local` provider: the target table's Debian builds (provisioned on first use), started as child processes. */
import { provisionServers } from '../provision/debian.ts';
import { type DebianSuite, TARGET_NAMES, targetSpec } from './catalog.ts';
import { runningTarget } from './describe.ts';
import { LocalCluster } from './local-cluster.ts';
import { LocalServer } from './local-server.ts';
import type { Provider, RunningTarget, StartOptions, TargetName } from './types.ts';

/** A cluster's six consecutive ports from `first`. */
export const clusterPorts = (first: number) => Array.from({ length: 6 }, (_, i) => first + i);

const provisioned = new Set<DebianSuite>();

export const localProvider: Provider = {
  name: 'local',
  async start(name: TargetName, options: StartOptions = {}): Promise<RunningTarget> {
    const spec = targetSpec(name);
    if (!spec) throw new Error(`no target ${name} in the target table; known: ${TARGET_NAMES.join(', ')}`);
    // Idempotent and quick once installed; on a fresh machine this is what makes `npm test` work unaided.
    if (!provisioned.has(spec.suite)) {
      const log = options.log ?? console.log;
      provisionServers((line) => log(`[provision] ${line}`), process.env, [spec]);
      provisioned.add(spec.suite);
    }
    if (spec.cluster) {
      const cluster = await LocalCluster.start(spec.server, {
        suite: spec.suite,
        ports: options.port === undefined ? undefined : clusterPorts(options.port),
      });
      const { urls, pids } = cluster;
      return runningTarget({ name, provider: 'local', url: urls[0] as string, cluster: true, nodes: urls, pids }, () =>
        cluster.stop(),
      );
    }
    const server = await LocalServer.start({ kind: spec.server, suite: spec.suite, port: options.port });
    const { url, pid } = server;
    return runningTarget({ name, provider: 'local', url, cluster: false, nodes: [url], pids: pid ? [pid] : [] }, () =>
      server.stop(),
    );
  },
};
