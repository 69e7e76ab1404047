import { describeCapabilities, redactUrl } from '@redis-agent-kit/patterns';
import { TARGETS, targetSpec } from './catalog.ts';
import { chooseProvider } from './provider.ts';
import type { Provider, RunningTarget, TargetInfo, TargetName } from './types.ts';

export { TARGET_NAMES, TARGETS, type TargetSpec, targetSpec } from './catalog.ts';
export { targetConnection } from './describe.ts';
export { LocalCluster } from './local-cluster.ts';
export { crashes } from './child-server.ts';
export { LocalServer } from './local-server.ts';
export { chooseProvider } from './provider.ts';
export * from './types.ts';

export interface StartedTargets {
  provider: string;
  reason: string;
  targets: RunningTarget[];
  stop(): Promise<void>;
}

/** The default set: every target the provider has, or those of the listed names it has (the benchmarks' targets). */
export type TargetSet = 'all' | string[];

export interface TargetSelection {
  /** Names asked for explicitly (the matrix's `--targets`); they win over RAK_TARGETS. */
  wanted?: string[];
  set?: TargetSet;
  env?: NodeJS.ProcessEnv;
  /** Fixed ports from this one, in order (a cluster takes six); local provider only (`npm run servers --port`). */
  port?: number;
}

/** Each target's first port, consecutive from `first`: a single server takes one, a cluster six. */
export function fixedPorts(names: string[], first: number): number[] {
  let next = first;
  return names.map((name) => {
    const port = next;
    next += targetSpec(name)?.cluster ? 6 : 1;
    return port;
  });
}

/**
 * The names a provider can start (REDIS_TARGETS' names for url, the table's image-backed targets for docker, the
 * whole table for local) and which of them `set` picks by default.
 */
export function availableTargets(provider: Provider, set: TargetSet = 'all'): { names: string[]; defaults: string[] } {
  const names = 'names' in provider ? (provider.names as string[]) : TARGETS.map((t) => t.name);
  return { names, defaults: set === 'all' ? names : names.filter((name) => set.includes(name)) };
}

/** A selection that cannot be started (an unknown name, ports for a provider without them): before anything starts. */
export class TargetSelectionError extends Error {
  override readonly name = 'TargetSelectionError';
}

/**
 * Which targets to start: `wanted`, else RAK_TARGETS (e.g. `redis-8,valkey-8.1`), else the defaults. A name the
 * provider cannot start is an error naming the ones it can.
 */
export function requestedTargets(
  available: { names: string[]; defaults: string[] },
  selection: Pick<TargetSelection, 'wanted' | 'env'> = {},
): TargetName[] {
  const env = selection.env ?? process.env;
  const explicit = selection.wanted?.length
    ? selection.wanted
    : (env.RAK_TARGETS?.split(',') ?? []).map((t) => t.trim()).filter(Boolean);
  if (explicit.length === 0) return available.defaults;
  const unknown = explicit.filter((name) => !available.names.includes(name));
  if (unknown.length)
    throw new TargetSelectionError(`unknown target ${unknown.join(', ')}; known: ${available.names.join(', ')}`);
  return [...new Set(explicit)];
}

/**
 * Starts the targets (in parallel), printing the provider choice and each target's server and capabilities.
 * A failed start stops the others and throws with every reason.
 */
export async function startTargets(
  log: (line: string) => void = console.log,
  selection: TargetSelection = {},
): Promise<StartedTargets> {
  const { provider, reason } = await chooseProvider({ env: selection.env });
  log(`[targets] provider: ${provider.name} (${reason})`);
  const names = requestedTargets(availableTargets(provider, selection.set), selection);
  if (selection.port !== undefined && provider.name !== 'local')
    throw new TargetSelectionError(`fixed ports need the local provider; ${provider.name} chose its own (${reason})`);
  const ports = selection.port === undefined ? [] : fixedPorts(names, selection.port);
  const settled = await Promise.allSettled(names.map((name, i) => provider.start(name, { port: ports[i] })));
  const targets = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stop = async () => {
    await Promise.all(targets.map((t) => t.stop()));
  };
  const failed = settled.flatMap((s, i) =>
    s.status === 'rejected' ? [`${names[i]}: ${(s.reason as Error).message}`] : [],
  );
  if (failed.length) {
    await stop();
    throw new Error(`could not start targets:\n  ${failed.join('\n  ')}`);
  }
  const width = Math.max(...targets.map((t) => t.name.length));
  for (const t of targets)
    log(
      `[targets] ${t.name.padEnd(width)} ${describeCapabilities(t.capabilities)} · ${redactUrl(t.url)}${t.cluster ? ` (+${t.nodes.length - 1} nodes)` : ''}`,
    );
  return { provider: provider.name, reason, targets, stop };
}

/** The serialisable part of a running target (for test workers and reports). */
export function targetInfo(target: RunningTarget): TargetInfo {
  const { stop: _stop, ...info } = target;
  return info;
}
