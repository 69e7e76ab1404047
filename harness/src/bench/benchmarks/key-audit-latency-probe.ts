/**
 * A worker thread for the key-audit benchmark: one client doing GET after GET (one in flight), timing each,
 * on its own event loop so the audit's work in the main thread does not distort the latencies it sees.
 * Messages: 'start' begins a phase, 'stop' ends it and answers with the phase's sorted latencies in ms.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Redis } from 'ioredis';

const { port, key } = workerData as { port: number; key: string };
const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, connectionName: 'rak-bench-probe' });
let running = false;
let samples: number[] = [];

async function loop(): Promise<void> {
  while (running) {
    const started = performance.now();
    await client.get(key);
    samples.push(performance.now() - started);
  }
}

let current: Promise<void> = Promise.resolve();
parentPort?.on('message', async (message: 'start' | 'stop' | 'exit') => {
  if (message === 'start') {
    samples = [];
    running = true;
    current = loop();
  } else if (message === 'stop') {
    running = false;
    await current;
    parentPort?.postMessage(samples.sort((a, b) => a - b));
  } else {
    client.disconnect();
    parentPort?.close();
  }
});
