import { type ConnectionOptions, closeClient, connect, probeCapabilities } from '@redis-agent-kit/patterns';
import type { TargetInfo } from './types.ts';

/** Connects to a target as tests and the matrix do (cluster client for a cluster, NAT map when given). */
export function targetConnection(target: Pick<TargetInfo, 'url' | 'cluster' | 'nodes' | 'natMap'>): ConnectionOptions {
  return {
    url: target.url,
    cluster: target.cluster,
    nodes: target.cluster ? target.nodes.slice(1) : [],
    ...(target.natMap ? { natMap: target.natMap } : {}),
  };
}

export async function probeTarget(target: Pick<TargetInfo, 'url' | 'cluster' | 'nodes' | 'natMap'>) {
  const client = await connect(targetConnection(target));
  try {
    return await probeCapabilities(client);
  } finally {
    await closeClient(client);
  }
}
