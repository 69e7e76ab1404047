import { homedir } from 'node:os';
import { join } from 'node:path';

/** Per-user cache for downloaded server binaries: RAK_CACHE_DIR, else $XDG_CACHE_HOME/redis-agent-kit. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.RAK_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'redis-agent-kit');
}
