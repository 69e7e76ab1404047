/**
 * The semantic cache's memory stays bounded under a steady stream of new prompts, at the scale: 100,000
 * distinct prompts with a short TTL into one scope, on every target with vector sets. Vector-set elements have no
 * TTL of their own; each store sweeps up to `sweepBatch` expired ones, so the element count and the set's memory
 * level off at about what the last TTL's worth of stores left, instead of growing with every prompt ever stored.
 *
 * The level is a rate times the TTL, and the rate is this machine's: nothing here assumes one. The checks hold every
 * sample to a small part of the prompts stored, and the bytes per element to where they started.
 */
import { randomBytes } from 'node:crypto';
import { closeClient, connect } from '@redis-agent-kit/patterns';
import { createSemanticCache } from '@redis-agent-kit/patterns/semantic-cache';
import { createHashingEmbedder } from '@redis-agent-kit/patterns/vector';
import { describe, expect, it } from 'vitest';
import { keysMatching } from '../src/matrix/shared-server.ts';
import { targetConnection } from '../src/targets/describe.ts';
import { targets } from '../src/vitest/index.ts';

const PROMPTS = 100_000;
const SAMPLES = 10;
const IN_FLIGHT = 32;
const TTL_MS = 250;
const scope = { tenant: 'steady' };

describe('semantic cache memory under a steady stream of new prompts', () => {
  for (const t of targets().filter((t) => t.capabilities.vectorSets && !t.cluster)) {
    it(
      `${t.name}: ${PROMPTS.toLocaleString('en')} prompts, TTL ${TTL_MS} ms: elements and memory level off`,
      {
        timeout: 300_000,
      },
      async () => {
        const client = await connect(targetConnection(t));
        const prefix = `rak:bounded:${randomBytes(4).toString('hex')}`;
        try {
          const cache = createSemanticCache(client, {
            embedder: createHashingEmbedder({ dim: 64 }),
            scopeFields: ['tenant'],
            prefix,
            ttlMs: TTL_MS,
            capabilities: t.capabilities,
          });
          const elements: number[] = [];
          const bytes: number[] = [];
          let next = 0;
          const storeUpTo = async (end: number) => {
            const worker = async () => {
              while (next < end) {
                const i = next++;
                await cache.store(`prompt ${i}: what is ${(i * 7919) % 1_000_003} times ${i % 97}?`, `answer ${i}`, {
                  scope,
                });
              }
            };
            await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
          };
          for (let sample = 1; sample <= SAMPLES; sample++) {
            await storeUpTo((PROMPTS / SAMPLES) * sample);
            elements.push(await cache.size({ scope }));
            const sets = await keysMatching(client, `${prefix}:*`, 'vectorset');
            let total = 0;
            for (const key of sets) total += Number(await client.call('MEMORY', 'USAGE', key));
            bytes.push(total);
          }
          const message = `elements ${elements.join(', ')}; vector set bytes ${bytes.join(', ')}`;
          console.log(`[semantic-cache-bounded] ${t.name}: ${message}`);
          // Levels off: every sample holds a small part of the prompts stored (without the sweep's fix the set grew
          // to 20,868 of 100,000), and the bytes per element stay where they started. The level itself is the store
          // rate times the TTL, which moves with the machine's load, so samples are not compared with each other
          // (a CI run under load saw 144 to 606).
          for (const count of elements) expect(count, message).toBeLessThan(PROMPTS / 10);
          const perElement = bytes.map((b, i) => b / Math.max(1, elements[i] as number));
          expect(Math.max(...perElement), message).toBeLessThanOrEqual(2 * (perElement[0] as number));
        } finally {
          const keys = await keysMatching(client, `${prefix}:*`);
          for (let i = 0; i < keys.length; i += 500) await client.unlink(...keys.slice(i, i + 500));
          await closeClient(client);
        }
      },
    );
  }
});
