/** The `local` provider: the target table's Debian builds (provisioned on first use), started as child processes. */
import { provisionServers } from '../provision/debian.ts';
import { type DebianSuite, TARGET_NAMES, targetSpec } from './catalog.ts';
import { runningTarget } from './describe.ts';
import { LocalCluster } from './local-cluster.ts';
import { LocalServer } from './local-server.ts';
import type { Provider, RunningTarget, TargetName } from './types.ts';

const provisioned = new Set<DebianSuite>();

export const localProvider: Provider = {
  name: 'local',
  async start(name: TargetName): Promise<RunningTarget> {
    const spec = targetSpec(name);
    if (!spec) throw new Error(`no target ${name} in the target table; known: ${TARGET_NAMES.join(', ')}`);
    // Idempotent and quick once installed; on a fresh machine this is what makes `npm test` work unaided.
    if (!provisioned.has(spec.suite)) {
      provisionServers((line) => console.log(`[provision] ${line}`), process.env, [spec]);
      provisioned.add(spec.suite);
    }
    if (spec.cluster) {
      const cluster = await LocalCluster.start(spec.server, 3, 1, spec.suite);
      const { urls, pids } = cluster;
      return runningTarget({ name, provider: 'local', url: urls[0] as string, cluster: true, nodes: urls, pids }, () =>
        cluster.stop(),
      );
    }
    const server = await LocalServer.start({ kind: spec.server, suite: spec.suite });
    const { url, pid } = server;
    return runningTarget({ name, provider: 'local', url, cluster: false, nodes: [url], pids: pid ? [pid] : [] }, () =>
      server.stop(),
    );
  },
};
