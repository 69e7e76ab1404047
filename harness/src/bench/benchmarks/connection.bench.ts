/**
 * The connection factory's client against a bare ioredis client: GET throughput at the same concurrency on the
 * same server. The factory only sets options, so the ratio should be about 1.
 */
import { closeClient, connect } from '@redis-agent-kit/patterns';
import { Redis } from 'ioredis';
import { alternatingRounds, compare, defineBenchmark, measured, throughput } from '../benchmark.ts';

export default defineBenchmark({
  id: 'connection',
  title: 'Connection factory client vs bare ioredis (GET, 50 in flight)',
  async run({ target, scale }) {
    const factory = await connect({ url: target.url });
    const url = new URL(target.url);
    const bare = new Redis({ host: url.hostname, port: Number(url.port) });
    try {
      await factory.set('rak:bench:connection', 'x'.repeat(100), 'EX', 300);
      const ms = Math.max(150, 500 * scale);
      const rounds = await alternatingRounds({
        bare: () => throughput(() => bare.get('rak:bench:connection'), 50, ms),
        factory: () => throughput(() => factory.get('rak:bench:connection'), 50, ms),
      });
      const anchor = measured('bare ioredis GET (anchor)', 'ops/s', 'ops/s', rounds.bare);
      const row = measured('factory client GET', 'ops/s', 'ops/s', rounds.factory);
      return { rows: [anchor, compare(row, anchor, { min: 0.9 })] };
    } finally {
      await factory.unlink('rak:bench:connection');
      await closeClient(factory);
      bare.disconnect();
    }
  },
});
