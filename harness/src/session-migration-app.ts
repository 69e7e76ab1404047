/**
 * The session-migration example's Express app in this process, on a free loopback port, built the way its
 * server.ts builds it: for the app's end-to-end test and its fault scenario.
 */
import type { AddressInfo } from 'node:net';
import { appFor } from '../../examples/session-migration/src/app.ts';
import { loadConfig } from '../../examples/session-migration/src/config.ts';
import { openServices } from '../../examples/session-migration/src/services.ts';

export interface RunningSessionApp {
  url: string;
  request(
    path: string,
    init?: { method?: string; body?: unknown; cookie?: string | undefined },
  ): Promise<{ status: number; body: Record<string, unknown>; cookie?: string }>;
  close(): Promise<void>;
}

/** The Redis credentials and TLS settings of this process's environment, which the app honours as migrate does. */
function redisCredentials(env: NodeJS.ProcessEnv): Record<string, string> {
  const names = ['REDIS_USERNAME', 'REDIS_PASSWORD', 'REDIS_TLS_CA', 'REDIS_TLS_CERT', 'REDIS_TLS_KEY'];
  return Object.fromEntries(names.flatMap((name) => (env[name] ? [[name, env[name]]] : [])));
}

/**
 * Starts the app with the example's environment variables (PGlite in memory unless DATABASE_URL is given), plus
 * this process's Redis credentials, so a matrix run against a server with a password reaches it as the app would.
 */
export async function startSessionApp(env: Record<string, string>): Promise<RunningSessionApp> {
  const config = loadConfig({
    PGLITE_DIR: 'memory://',
    PGLITE_PORT: '0',
    SESSION_SECRET: 'test-secret',
    ...redisCredentials(process.env),
    ...env,
  });
  const services = await openServices(config);
  const server = appFor(config, services).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async request(path, init = {}) {
      const response = await fetch(url + path, {
        method: init.method ?? 'GET',
        headers: {
          ...(init.body ? { 'content-type': 'application/json' } : {}),
          ...(init.cookie ? { cookie: init.cookie } : {}),
        },
        ...(init.body ? { body: JSON.stringify(init.body) } : {}),
      });
      const setCookie = response.headers.get('set-cookie')?.split(';')[0];
      return {
        status: response.status,
        body: (await response.json()) as Record<string, unknown>,
        ...(setCookie ? { cookie: setCookie } : {}),
      };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await services.close();
    },
  };
}
