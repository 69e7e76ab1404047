/** `npm start`: the app on PORT with the store SESSION_STORE names (pg | cutover | redis). */
import type { AddressInfo } from 'node:net';
import { appFor } from './app.ts';
import { loadConfig } from './config.ts';
import { openServices } from './services.ts';

const config = loadConfig();
const services = await openServices(config);
const server = appFor(config, services).listen(config.port, () => {
  const { port } = server.address() as AddressInfo;
  console.log(`session-migration: http://127.0.0.1:${port} · ${services.describe}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    void services.close().finally(() => process.exit(0));
  });
}
