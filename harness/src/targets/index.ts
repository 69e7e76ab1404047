import { describeCapabilities, redactUrl } from '@redis-agent-kit/patterns';
import { chooseProvider } from './provider.ts';
import { type RunningTarget, TARGET_NAMES, type TargetInfo, type TargetName } from './types.ts';

export { targetConnection } from './describe.ts';
export { LocalCluster } from './local-cluster.ts';
export { LocalServer } from './local-server.ts';
export { chooseProvider } from './provider.ts';
export * from './types.ts';

export interface StartedTargets {
  provider: string;
  reason: string;
  targets: RunningTarget[];
  stop(): Promise<void>;
}

/** Which targets to start: RAK_TARGETS=redis-8,valkey-8.1 narrows the default set; REDIS_TARGETS decides for url. */
export function requestedTargets(env: NodeJS.ProcessEnv = process.env, available?: TargetName[]): TargetName[] {
  const wanted = env.RAK_TARGETS
    ? (env.RAK_TARGETS.split(',').map((t) => t.trim()) as TargetName[])
    : [...(available ?? TARGET_NAMES)];
  for (const name of wanted) {
    if (!TARGET_NAMES.includes(name))
      throw new Error(`RAK_TARGETS names "${name}"; known targets: ${TARGET_NAMES.join(', ')}`);
  }
  return wanted;
}

/** Starts the targets (in parallel), printing the provider choice and each target's server and capabilities. */
export async function startTargets(log: (line: string) => void = console.log): Promise<StartedTargets> {
  const { provider, reason } = await chooseProvider();
  log(`[targets] provider: ${provider.name} (${reason})`);
  const names = requestedTargets(process.env, 'names' in provider ? (provider.names as TargetName[]) : undefined);
  const settled = await Promise.allSettled(names.map((name) => provider.start(name)));
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
  for (const t of targets)
    log(
      `[targets] ${t.name.padEnd(13)} ${describeCapabilities(t.capabilities)} · ${redactUrl(t.url)}${t.cluster ? ` (+${t.nodes.length - 1} nodes)` : ''}`,
    );
  return { provider: provider.name, reason, targets, stop };
}

/** The serialisable part of a running target (for test workers and reports). */
export function targetInfo(target: RunningTarget): TargetInfo {
  const { stop: _stop, ...info } = target;
  return info;
}
