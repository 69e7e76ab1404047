import type { Capabilities } from '@redis-agent-kit/patterns';

export const TARGET_NAMES = ['redis-8', 'valkey-8.1', 'redis-cluster'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];
export type ProviderName = 'local' | 'docker' | 'url';

/** What tests and the matrix need to reach a target; serialisable (handed from global setup to test workers). */
export interface TargetInfo {
  name: TargetName;
  provider: ProviderName;
  /** The URL to connect to (a seed node for a cluster). */
  url: string;
  cluster: boolean;
  /** Every node's URL (one for a standalone server). */
  nodes: string[];
  /** Cluster nodes announced under unreachable addresses (Docker port mapping): announced → reachable. */
  natMap?: Record<string, { host: string; port: number }>;
  capabilities: Capabilities;
  /** Server PIDs when the harness started them locally. */
  pids: number[];
}

export interface RunningTarget extends TargetInfo {
  stop(): Promise<void>;
}

export interface Provider {
  readonly name: ProviderName;
  start(name: TargetName): Promise<RunningTarget>;
}
