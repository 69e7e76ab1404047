/** `npm start`: the app on PORT with the store SESSION_STORE names (pg | cutover | redis). */
import type { AddressInfo } from 'node:net';
import { appFor } from './app.ts';
import { loadConfig } from './config.ts';
import { seedDemoSessions } from './demo.ts';
import { openServices } from './services.ts';

let config: ReturnType<typeof loadConfig>;
let services: Awaited<ReturnType<typeof openServices>>;
try {
  config = loadConfig();
  services = await openServices(config);
} catch (error) {
  // A configuration or connection problem: its message says what and what to do; a stack would only bury it.
  console.error((error as Error).message);
  process.exit(1);
}
// The first run has sessions to migrate: see demo.ts (never with DATABASE_URL; DEMO_SESSIONS=0 for none).
if (services.legacyPool) {
  try {
    const seeded = await seedDemoSessions(services.legacyPool, config);
    if (seeded) {
      console.log(
        `[demo] the embedded PostgreSQL's session table was empty: wrote ${seeded} logged-in sessions into it, as ` +
          'connect-pg-simple stores them, for `npm run migrate` to copy (DEMO_SESSIONS=0: none)',
      );
    }
  } catch (error) {
    console.error(`[demo] could not write the demo sessions: ${(error as Error).message}`);
  }
}
const server = appFor(config, services).listen(config.port);
server.once('listening', () => {
  const { port } = server.address() as AddressInfo;
  console.log(`session-migration: http://127.0.0.1:${port} · ${services.describe}`);
});
server.once('error', (error: NodeJS.ErrnoException) => {
  console.error(
    error.code === 'EADDRINUSE'
      ? `Port ${config.port} is in use: stop what listens there, or set PORT to a free port (PORT=0 picks one).`
      : error.code === 'EACCES'
        ? `Port ${config.port} needs privileges this process does not have: set PORT above 1023.`
        : `Cannot listen on port ${config.port}: ${error.message}`,
  );
  void services.close().finally(() => process.exit(1));
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    void services.close().finally(() => process.exit(0));
  });
}
