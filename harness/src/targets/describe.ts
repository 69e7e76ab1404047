import { type ConnectionOptions, closeClient, connect, probeCapabilities } from '@redis-agent-kit/patterns';
import type { RunningTarget, TargetInfo } from './types.ts';

/** Connects to a target as tests and the matrix do (cluster client for a cluster, NAT map when given). */
export function targetConnection(target: Pick<TargetInfo, 'url' | 'cluster' | 'nodes' | 'natMap'>): ConnectionOptions {
  return {
    url: target.url,
    cluster: target.cluster,
    nodes: target.cluster ? target.nodes.slice(1) : [],
    ...(target.natMap ? { natMap: target.natMap } : {}),
  };
}

async function probeTarget(target: Pick<TargetInfo, 'url' | 'cluster' | 'nodes' | 'natMap'>) {
  const client = await connect(targetConnection(target));
  try {
    return await probeCapabilities(client);
  } finally {
    await closeClient(client);
  }
}

/**
 * What a provider returns for a server it started or was given: the target with the capabilities its server
 * reports. A server that cannot be probed is stopped before the error propagates, not left running.
 */
export async function runningTarget(
  target: Omit<TargetInfo, 'capabilities'>,
  stop: () => Promise<void>,
): Promise<RunningTarget> {
  try {
    return { ...target, capabilities: await probeTarget(target), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
