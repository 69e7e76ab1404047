import type { Capabilities } from '@redis-agent-kit/patterns';

/** A target's name: a built-in one from the target table (catalog.ts), or any name given in REDIS_TARGETS. */
export type TargetName = string;
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

export interface StartOptions {
  /** A fixed port (a cluster's first port; its nodes take the next five too). Only the local provider has ports. */
  port?: number;
  /** Where progress lines (provisioning) go; default stdout. */
  log?: (line: string) => void;
}

export interface Provider {
  readonly name: ProviderName;
  start(name: TargetName, options?: StartOptions): Promise<RunningTarget>;
}
