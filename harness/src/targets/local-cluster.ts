/**
 * A Redis Cluster of local processes: 3 masters and 3 replicas on free loopback ports, joined with
 * `redis-cli --cluster create`, ready when every node reports cluster_state:ok and every master has its replica.
 */
import { spawnSync } from 'node:child_process';
import { parseInfo } from '@redis-agent-kit/patterns';
import { Redis } from 'ioredis';
import { binaryCommand, type ServerKind } from '../provision/binaries.ts';
import { DEFAULT_SUITE } from '../provision/debian.ts';
import type { DebianSuite } from './catalog.ts';
import { LocalServer } from './local-server.ts';

export interface ClusterNodeRole {
  port: number;
  id: string;
  role: 'master' | 'replica';
  slots: number;
  failed: boolean;
}

export interface LocalClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
  /** The Debian suite whose build to run (default trixie). */
  suite?: DebianSuite;
  /** Fixed ports, one per node (each also needs port + 10000 free for the cluster bus); default: free ones. */
  ports?: number[];
}

const CLUSTER_NODE_ARGS = [
  ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000'],
  ...['--repl-diskless-sync-delay', '0'],
];

export class LocalCluster {
  readonly kind: ServerKind;
  readonly servers: LocalServer[];
  private constructor(kind: ServerKind, servers: LocalServer[]) {
    this.kind = kind;
    this.servers = servers;
  }

  static async start(kind: ServerKind = 'redis', options: LocalClusterOptions = {}): Promise<LocalCluster> {
    const { masters = 3, replicasPerMaster = 1, suite = DEFAULT_SUITE, ports } = options;
    const count = masters * (1 + replicasPerMaster);
    if (ports && ports.length !== count) throw new Error(`a cluster of ${count} nodes needs ${count} ports`);
    const servers: LocalServer[] = [];
    try {
      for (let i = 0; i < count; i++) {
        servers.push(
          await LocalServer.start({
            kind,
            suite,
            port: ports?.[i],
            clusterBus: true,
            // --repl-diskless-sync-delay 0: a master otherwise waits 5 s for more replicas before the first full
            // sync, and a replica that has never synced cannot be promoted, so a failover right after start hangs.
            args: CLUSTER_NODE_ARGS,
          }),
        );
      }
      const cli = binaryCommand(kind, 'cli', suite);
      const create = spawnSync(
        cli.command,
        [
          ...cli.args,
          '--cluster',
          'create',
          ...servers.map((s) => `127.0.0.1:${s.port}`),
          '--cluster-replicas',
          String(replicasPerMaster),
          '--cluster-yes',
        ],
        { encoding: 'utf8', timeout: 30_000 },
      );
      if (create.status !== 0 || !/All 16384 slots covered/.test(create.stdout)) {
        throw new Error(
          `cluster create failed (exit ${create.status}):\n${(create.stdout + create.stderr).trim().split('\n').slice(-8).join('\n')}`,
        );
      }
      const cluster = new LocalCluster(kind, servers);
      await cluster.waitHealthy();
      return cluster;
    } catch (error) {
      await Promise.all(servers.map((s) => s.stop()));
      throw error;
    }
  }

  get urls(): string[] {
    return this.servers.map((s) => s.url);
  }

  get pids(): number[] {
    return this.servers.flatMap((s) => (s.pid ? [s.pid] : []));
  }

  private async ask<T>(server: LocalServer, fn: (client: Redis) => Promise<T>): Promise<T | undefined> {
    if (!server.running) return undefined;
    const client = new Redis({
      port: server.port,
      host: '127.0.0.1',
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      connectTimeout: 1000,
      commandTimeout: 1000,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      return await fn(client);
    } catch {
      return undefined;
    } finally {
      client.disconnect();
    }
  }

  /** The topology as one live node sees it (CLUSTER NODES). */
  async topology(): Promise<ClusterNodeRole[]> {
    for (const server of this.servers) {
      const text = await this.ask(server, (c) => c.call('CLUSTER', 'NODES') as Promise<string>);
      if (!text) continue;
      return text
        .trim()
        .split('\n')
        .map((line) => {
          const [id = '', address = '', flags = '', , , , , , ...slots] = line.split(' ');
          const slotCount = slots.reduce((sum, range) => {
            const [a, b] = range.split('-').map(Number);
            return sum + (b === undefined ? 1 : (b as number) - (a as number) + 1);
          }, 0);
          return {
            id,
            port: Number(address.split('@')[0]?.split(':')[1]),
            role: flags.includes('master') ? 'master' : 'replica',
            slots: slotCount,
            failed: flags.split(',').includes('fail'),
          } as ClusterNodeRole;
        });
    }
    throw new Error('no cluster node answers');
  }

  /** Each running node's answer (undefined from a node that did not answer). */
  private askRunning<T>(fn: (client: Redis) => Promise<T>): Promise<(T | undefined)[]> {
    return Promise.all(this.servers.filter((s) => s.running).map((s) => this.ask(s, fn)));
  }

  private clusterStates(): Promise<(string | undefined)[]> {
    return this.askRunning(async (c) => parseInfo(String(await c.call('CLUSTER', 'INFO'))).cluster_state);
  }

  /** Every running node says cluster_state:ok and every master has a replica whose sync is done. */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    let last = '';
    await poll(
      Date.now() + timeoutMs,
      async () => {
        // One connection per node for both questions.
        const nodes = await this.askRunning(async (c) => ({
          state: parseInfo(String(await c.call('CLUSTER', 'INFO'))).cluster_state,
          replication: parseInfo(String(await c.info('replication'))),
        }));
        if (!nodes.every((n) => n?.state === 'ok')) {
          last = `cluster_state: ${nodes.map((n) => n?.state).join(',')}`;
          return undefined;
        }
        const replicas = nodes.map((n) => n?.replication);
        const mastersServed = replicas
          .filter((r) => r?.role === 'master')
          .every((r) => Number(r?.connected_slaves) >= 1);
        const replicasSynced = replicas.filter((r) => r?.role === 'slave').every((r) => r?.master_link_status === 'up');
        if (mastersServed && replicasSynced) return true;
        last = 'replicas not yet attached and synced';
        return undefined;
      },
      () => new Error(`cluster not healthy after ${timeoutMs} ms (${last})`),
    );
  }

  /** Fault: kills one slot-owning master and waits until its replica has been promoted and the cluster is ok. */
  async killMasterAndAwaitFailover(
    timeoutMs = 30_000,
  ): Promise<{ killedPort: number; promotedPort: number; ms: number }> {
    const before = await this.topology();
    const master = before.find((n) => n.role === 'master' && n.slots > 0);
    const server = this.servers.find((s) => s.port === master?.port);
    if (!master || !server) throw new Error('no slot-owning master to kill');
    const started = Date.now();
    await server.kill();
    return poll(
      started + timeoutMs,
      async () => {
        const now = await this.topology().catch(() => []);
        const promoted = now.find(
          (n) =>
            // Right after start a node may still list a fresh replica as a master of no slots: compare slot ownership.
            n.role === 'master' &&
            n.slots > 0 &&
            !n.failed &&
            !before.some((b) => b.id === n.id && b.role === 'master' && b.slots > 0),
        );
        const states = await this.clusterStates();
        return promoted && states.every((s) => s === 'ok')
          ? { killedPort: master.port, promotedPort: promoted.port, ms: Date.now() - started }
          : undefined;
      },
      () => new Error(`no replica promoted within ${timeoutMs} ms after killing master on port ${master.port}`),
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()));
  }
}

/** Calls `attempt` every 100 ms until it returns a value; throws `timeoutError()` once `deadline` (epoch ms) passed. */
async function poll<T>(deadline: number, attempt: () => Promise<T | undefined>, timeoutError: () => Error): Promise<T> {
  while (Date.now() < deadline) {
    const value = await attempt();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw timeoutError();
}
