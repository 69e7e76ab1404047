/**
 * Which provider supplies the servers: RAK_PROVIDER=local|docker|url forces one; REDIS_TARGETS implies url;
 * otherwise docker when the Docker API answers, else local binaries, with the reason printed.
 */
import { dockerAvailable, dockerProvider } from './docker.ts';
import { localProvider } from './local.ts';
import type { Provider, ProviderName } from './types.ts';
import { urlProvider } from './url.ts';

export interface ProviderChoice {
  provider: Provider;
  reason: string;
}

export interface ChooseOptions {
  env?: NodeJS.ProcessEnv;
  /** Resolves when Docker answers; the default asks Testcontainers. Injected in unit tests. */
  probeDocker?: () => Promise<void>;
  providers?: Partial<Record<'local' | 'docker', Provider>>;
}

export async function chooseProvider(options: ChooseOptions = {}): Promise<ProviderChoice> {
  const env = options.env ?? process.env;
  const local = options.providers?.local ?? localProvider;
  const docker = options.providers?.docker ?? dockerProvider;
  const forced = env.RAK_PROVIDER as ProviderName | undefined;
  if (forced && !['local', 'docker', 'url'].includes(forced)) {
    throw new Error(`RAK_PROVIDER="${forced}" is not one of local, docker, url`);
  }
  if (forced === 'url' || (!forced && env.REDIS_TARGETS)) {
    if (!env.REDIS_TARGETS)
      throw new Error('RAK_PROVIDER=url needs REDIS_TARGETS, e.g. REDIS_TARGETS="redis-8=redis://127.0.0.1:6379"');
    return { provider: urlProvider(env.REDIS_TARGETS), reason: 'REDIS_TARGETS names the servers' };
  }
  if (forced === 'local') return { provider: local, reason: 'RAK_PROVIDER=local' };
  if (forced === 'docker') return { provider: docker, reason: 'RAK_PROVIDER=docker' };
  try {
    await (options.probeDocker ?? dockerAvailable)();
    return { provider: docker, reason: 'the Docker API answered' };
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { provider: local, reason: `Docker did not answer (${why}); using local server binaries` };
  }
}
