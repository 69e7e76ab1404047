/**
 * What a fault scenario gets: private servers and clients that are always stopped and closed after it, so a
 * scenario file holds only its fault and its checks.
 */
import { randomBytes } from 'node:crypto';
import { type ConnectionOptions, closeClient, connect, type RedisClient } from '@redis-agent-kit/patterns';
import type { ServerKind } from '../provision/binaries.ts';
import { LocalCluster } from '../targets/local-cluster.ts';
import { LocalServer, type LocalServerOptions } from '../targets/local-server.ts';

export interface FaultContext {
  /** A unique key prefix for this run (`rak:<scenario>:<random>`). */
  prefix: string;
  /** Starts a private server (Redis unless told otherwise), stopped after the scenario. */
  startServer(options?: Partial<LocalServerOptions>): Promise<LocalServer>;
  /** Starts a private 3-master/3-replica cluster (node timeout 2 s), stopped after the scenario. */
  startCluster(kind?: ServerKind): Promise<LocalCluster>;
  /** A client through the connection factory to a private server or cluster, closed after the scenario. */
  connect(to: LocalServer | LocalCluster, options?: Partial<ConnectionOptions>): Promise<RedisClient>;
  /** Records what the scenario observed beyond its numbers (shown in the reliability section). */
  note(text: string): void;
}

/** The context and the cleanup that stops everything it started. */
export function faultContext(scenarioId: string, notes: string[]): { ctx: FaultContext; cleanup(): Promise<void> } {
  const servers: (LocalServer | LocalCluster)[] = [];
  const clients: RedisClient[] = [];
  const ctx: FaultContext = {
    prefix: `rak:${scenarioId}:${randomBytes(4).toString('hex')}`,
    async startServer(options = {}) {
      const server = await LocalServer.start({ kind: 'redis', ...options });
      servers.push(server);
      return server;
    },
    async startCluster(kind = 'redis') {
      const cluster = await LocalCluster.start(kind);
      servers.push(cluster);
      return cluster;
    },
    async connect(to, options = {}) {
      const target =
        to instanceof LocalCluster ? { url: to.urls[0], nodes: to.urls.slice(1), cluster: true } : { url: to.url };
      const client = await connect({ ...target, ...options });
      clients.push(client);
      return client;
    },
    note(text) {
      if (!notes.includes(text)) notes.push(text);
    },
  };
  return {
    ctx,
    async cleanup() {
      await Promise.all(clients.map(closeClient));
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
