import { createServer } from 'node:net';

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : undefined));
    });
  });
}

/**
 * A free loopback port. With `clusterBus`, port + 10000 must be free too (the cluster bus), so the
 * port is kept below 55536.
 */
export async function freePort(clusterBus = false): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = await tryListen(clusterBus ? 20000 + Math.floor(Math.random() * 35000) : 0);
    if (port === undefined) continue;
    if (!clusterBus || (await tryListen(port + 10000)) !== undefined) return port;
  }
  throw new Error('no free loopback port found after 200 attempts');
}
