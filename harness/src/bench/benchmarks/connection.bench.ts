/**
 * The connection factory's client against a bare ioredis client: GET throughput at the same concurrency on the
 * same server. The factory only sets options, so the ratio should be about 1.
 */
import { closeClient, connect } from '@redis-agent-kit/patterns';
import { Redis } from 'ioredis';
import { compare, defineBenchmark, throughput } from '../benchmark.ts';

export default defineBenchmark({
  id: 'connection',
  title: 'Connection factory client vs bare ioredis (GET, 50 in flight)',
  async run({ target, scale }) {
    const factory = await connect({ url: target.url });
    const url = new URL(target.url);
    const bare = new Redis({ host: url.hostname, port: Number(url.port) });
    try {
      await factory.set('rak:bench:connection', 'x'.repeat(100), 'EX', 300);
      const ms = Math.max(500, 3000 * scale);
      // Alternate the two so neither always runs on a warmer or colder machine.
      const bareRuns: number[] = [];
      const factoryRuns: number[] = [];
      for (let round = 0; round < 2; round++) {
        bareRuns.push(await throughput(() => bare.get('rak:bench:connection'), 50, ms / 2));
        factoryRuns.push(await throughput(() => factory.get('rak:bench:connection'), 50, ms / 2));
      }
      const anchor = {
        subject: 'bare ioredis GET (anchor)',
        metric: 'ops/s',
        value: Math.max(...bareRuns),
        unit: 'ops/s',
      };
      const row = { subject: 'factory client GET', metric: 'ops/s', value: Math.max(...factoryRuns), unit: 'ops/s' };
      return { rows: [anchor, compare(row, anchor, { min: 0.9 })] };
    } finally {
      await factory.unlink('rak:bench:connection');
      await closeClient(factory);
      bare.disconnect();
    }
  },
});
