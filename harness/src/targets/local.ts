/** The `local` provider: server binaries provisioned from Debian packages, started as child processes. */
import { provisionServers } from '../provision/debian.ts';
import { runningTarget } from './describe.ts';
import { LocalCluster } from './local-cluster.ts';
import { LocalServer } from './local-server.ts';
import type { Provider, RunningTarget, TargetName } from './types.ts';

let provisioned = false;

export const localProvider: Provider = {
  name: 'local',
  async start(name: TargetName): Promise<RunningTarget> {
    // Idempotent and quick once installed; on a fresh machine this is what makes `npm test` work unaided.
    if (!provisioned) {
      provisionServers((line) => console.log(`[provision] ${line}`));
      provisioned = true;
    }
    if (name === 'redis-cluster') {
      const cluster = await LocalCluster.start('redis');
      const { urls, pids } = cluster;
      return runningTarget({ name, provider: 'local', url: urls[0] as string, cluster: true, nodes: urls, pids }, () =>
        cluster.stop(),
      );
    }
    const server = await LocalServer.start({ kind: name === 'valkey-8.1' ? 'valkey' : 'redis' });
    const { url, pid } = server;
    return runningTarget({ name, provider: 'local', url, cluster: false, nodes: [url], pids: pid ? [pid] : [] }, () =>
      server.stop(),
    );
  },
};
