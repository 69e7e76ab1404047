/**
 * The `docker` provider, for users who have a Docker engine: Testcontainers with redis:8.6-alpine (JSON and
 * search loaded by its entrypoint), valkey/valkey:8.1-alpine, and a cluster of six nodes in one container.
 * MOVED replies name the addresses the nodes announce inside the container, so the client gets a NAT map
 * from those to the mapped host ports.
 */
import { RedisContainer } from '@testcontainers/redis';
import { ValkeyContainer } from '@testcontainers/valkey';
import { GenericContainer, getContainerRuntimeClient, Wait } from 'testcontainers';
import { runningTarget } from './describe.ts';
import type { Provider, RunningTarget, TargetName } from './types.ts';

export const IMAGES = { redis: 'redis:8.6-alpine', valkey: 'valkey/valkey:8.1-alpine' } as const;
const CLUSTER_PORTS = [7000, 7001, 7002, 7003, 7004, 7005];

/** Resolves when a container runtime answers; rejects with its reason otherwise (within milliseconds without Docker). */
export async function dockerAvailable(): Promise<void> {
  await getContainerRuntimeClient();
}

/**
 * Six nodes in one container: a custom command bypasses the image's entrypoint, which is what loads the
 * modules, so the script loads every module the image ships itself.
 */
export function clusterScript(ports: number[] = CLUSTER_PORTS): string {
  return [
    'MODS=""; for m in /usr/local/lib/redis/modules/*.so; do [ -f "$m" ] && MODS="$MODS --loadmodule $m"; done',
    ...ports.map(
      (p) =>
        `mkdir -p /data/${p} && redis-server --port ${p} --dir /data/${p} --cluster-enabled yes --cluster-node-timeout 2000 --save "" --appendonly no --protected-mode no --daemonize yes $MODS`,
    ),
    'sleep 1',
    `redis-cli --cluster create ${ports.map((p) => `127.0.0.1:${p}`).join(' ')} --cluster-replicas 1 --cluster-yes`,
    'tail -f /dev/null',
  ].join(' && ');
}

export const dockerProvider: Provider = {
  name: 'docker',
  async start(name: TargetName): Promise<RunningTarget> {
    if (name === 'redis-cluster') {
      const container = await new GenericContainer(IMAGES.redis)
        .withExposedPorts(...CLUSTER_PORTS)
        .withEntrypoint(['sh', '-c'])
        .withCommand([clusterScript()])
        .withWaitStrategy(Wait.forLogMessage('All 16384 slots covered'))
        .withStartupTimeout(120_000)
        .start();
      const host = container.getHost();
      const natMap = Object.fromEntries(
        CLUSTER_PORTS.map((p) => [`127.0.0.1:${p}`, { host, port: container.getMappedPort(p) }]),
      );
      const nodes = CLUSTER_PORTS.map((p) => `redis://${host}:${container.getMappedPort(p)}`);
      return runningTarget(
        { name, provider: 'docker', url: nodes[0] as string, cluster: true, nodes, natMap, pids: [] },
        async () => void (await container.stop()),
      );
    }
    const container =
      name === 'valkey-8.1'
        ? await new ValkeyContainer(IMAGES.valkey).start()
        : await new RedisContainer(IMAGES.redis).start();
    const url = container.getConnectionUrl();
    return runningTarget(
      { name, provider: 'docker', url, cluster: false, nodes: [url], pids: [] },
      async () => void (await container.stop()),
    );
  },
};
