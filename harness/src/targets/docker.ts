/**
 * The `docker` provider, for users who have a Docker engine: Testcontainers with each target's image from the
 * target table (catalog.ts): redis:8.6-alpine has JSON and search loaded by its entrypoint; a cluster is six
 * nodes in one container. MOVED replies name the addresses the nodes announce inside the container, so the client
 * gets a NAT map from those to the mapped host ports.
 */
import { RedisContainer } from '@testcontainers/redis';
import { ValkeyContainer } from '@testcontainers/valkey';
import { GenericContainer, getContainerRuntimeClient, Wait } from 'testcontainers';
import { TARGETS, targetSpec } from './catalog.ts';
import { runningTarget } from './describe.ts';
import type { Provider, RunningTarget, TargetName } from './types.ts';

/** The targets the docker provider can start: those with an image. */
export const DOCKER_TARGET_NAMES: string[] = TARGETS.filter((t) => 'image' in t).map((t) => t.name);
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

export const dockerProvider: Provider & { names: string[] } = {
  name: 'docker',
  names: DOCKER_TARGET_NAMES,
  async start(name: TargetName): Promise<RunningTarget> {
    const spec = targetSpec(name);
    if (!spec?.image) {
      throw new Error(
        `no Docker image for target ${name}; the docker provider starts ${DOCKER_TARGET_NAMES.join(', ')}`,
      );
    }
    if (spec.cluster) {
      const container = await new GenericContainer(spec.image)
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
      spec.server === 'valkey'
        ? await new ValkeyContainer(spec.image).start()
        : await new RedisContainer(spec.image).start();
    const url = container.getConnectionUrl();
    return runningTarget(
      { name, provider: 'docker', url, cluster: false, nodes: [url], pids: [] },
      async () => void (await container.stop()),
    );
  },
};
