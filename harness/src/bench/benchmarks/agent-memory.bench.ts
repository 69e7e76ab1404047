/**
 * Long-term memory `recall` with SEMANTIC_BENCH_SIZE memories in one user scope (default 10,000;
 * `npm run bench:semantic-100k` runs 100,000), 768 dimensions, Q8, beside a bare `VSIM … WITHSCORES COUNT 5` (the
 * search recall sends for k = 5, the anchor) of the same vector set with the same query vectors, in alternating
 * rounds (p50 and each round's p99, paired by round). Goal: recall p50 <= 2 ms on Redis 8 (an absolute figure; the
 * ratio to VSIM is reported beside it, and INFO commandstats gives the server's own time per command). Also
 * measured, without a goal: recall with a topic filter (VSIM FILTER) and with a recency weight (4 × k candidates
 * fetched and their records read). Memories are embedding-like random vectors, as in the vector-search benchmark,
 * seeded through `remember()` (its de-duplication search included) batch by batch, 64 in flight; the embedder is a
 * table of those precomputed vectors, so the figures are the pattern's and Redis's, not a model's.
 */
import { closeClient, connect } from '@redis-agent-kit/patterns';
import { createLongTermMemory } from '@redis-agent-kit/patterns/memory';
import { toFp32Blob } from '@redis-agent-kit/patterns/vector';
import { removeKeys } from '../../matrix/shared-server.ts';
import { embeddingLikeSource } from '../../suites/vector-search-data.ts';
import { targetConnection } from '../../targets/describe.ts';
import { alternatingRounds, type BenchRow, compare, defineBenchmark, measured, ROUNDS } from '../benchmark.ts';
import {
  benchSize,
  commandStats,
  onlyKey,
  SEED_BATCH,
  SEED_IN_FLIGHT,
  seed,
  serverTime,
  TableEmbedder,
  timedRounds,
} from './vector-pattern-support.ts';

const DIM = 768;
const PREFIX = 'rak:bench:agent-memory';
const K = 5;
const TOPICS = 8;
const GOAL_P50_MS = 2;

export default defineBenchmark({
  id: 'agent-memory',
  title: 'Long-term memory: recall vs bare VSIM in one user scope (768-d, Q8)',
  async run({ target, scale, log }) {
    const size = benchSize(scale);
    const queries = Math.max(50, Math.round(200 * scale));
    const client = await connect(targetConnection(target));
    try {
      // A run that was stopped midway left its keys: they go first, so the scope holds exactly this run's memories.
      await removeKeys(client, [`${PREFIX}:*`]);
      const embedder = new TableEmbedder(DIM);
      const memory = createLongTermMemory(client, { embedder, prefix: PREFIX, capabilities: target.capabilities });
      const user = 'bench';
      const source = embeddingLikeSource(DIM, 3101);
      log(
        `seeding ${size.toLocaleString('en')} memories (batches of ${SEED_BATCH.toLocaleString('en')}, ${SEED_IN_FLIGHT} in flight)`,
      );
      let deduplicated = 0;
      const seeded = await seed(
        client,
        () => connect(targetConnection(target)),
        size,
        {
          prepare(from, to) {
            for (let i = from; i < to; i++) embedder.set(`m${i}`, source());
          },
          write: async (i) => {
            const result = await memory.remember(`m${i}`, { user, topics: [`t${i % TOPICS}`] });
            if (result.deduplicated) deduplicated++;
          },
          release(from, to) {
            for (let i = from; i < to; i++) embedder.delete(`m${i}`);
          },
        },
        ['evalsha', 'vadd', 'vsim', 'get', 'zrange'],
        log,
      );
      const vset = await onlyKey(client, `${PREFIX}:ltm:*:vset`);
      const count = Number(await client.call('VCARD', vset));

      const texts = Array.from({ length: queries }, (_, j) => {
        embedder.set(`q${j}`, source());
        return `q${j}`;
      });
      const vectorOf = async (text: string) => (await embedder.embed([text]))[0] as Float32Array;
      const label = `${count.toLocaleString('en')} memories`;
      const subjects = {
        anchor: {
          name: `bare VSIM COUNT ${K}, ${label} (anchor)`,
          run: async (text: string) =>
            client.call('VSIM', vset, 'FP32', toFp32Blob(await vectorOf(text)), 'WITHSCORES', 'COUNT', String(K)),
        },
        recall: {
          name: `recall k=${K} (VSIM + ${K} GETs), ${label}`,
          run: (text: string) => memory.recall(text, { user, k: K }),
        },
        topic: {
          name: `recall k=${K}, one topic of ${TOPICS} (VSIM FILTER), ${label}`,
          run: (text: string) => memory.recall(text, { user, k: K, topics: ['t3'] }),
        },
        recency: {
          name: `recall k=${K}, recencyWeight 0.5 (${4 * K} candidates), ${label}`,
          run: (text: string) => memory.recall(text, { user, k: K, recencyWeight: 0.5 }),
        },
      };
      type Name = keyof typeof subjects;
      const names = Object.keys(subjects) as Name[];
      let found = 0;
      const { fns, p99 } = timedRounds(
        Object.fromEntries(
          names.map((n) => [
            n,
            {
              items: texts,
              run: async (text: string) => {
                const answer = await subjects[n].run(text);
                if (n === 'recall') found += (answer as unknown[]).length;
              },
            },
          ]),
        ) as Record<Name, { items: string[]; run: (text: string) => Promise<void> }>,
      );
      const beforeRounds = await commandStats(client);
      const rounds = await alternatingRounds(fns, { log: (line) => log(`recall vs VSIM: ${line}`) });
      const inRounds = serverTime(beforeRounds, await commandStats(client), ['vsim', 'get']);
      const calls = (ROUNDS.warmup + ROUNDS.measured) * texts.length;
      if (found !== calls * K) throw new Error(`recall returned ${found} memories over ${calls} calls, not ${K} each`);

      const p99Metric = `p99 (of each round's ${texts.length} calls)`;
      const anchorP50 = measured(subjects.anchor.name, 'p50', 'ms', rounds.anchor);
      const anchorP99 = measured(subjects.anchor.name, p99Metric, 'ms', p99.anchor);
      const recallP50 = compare(measured(subjects.recall.name, 'p50', 'ms', rounds.recall), anchorP50);
      const rows: BenchRow[] = [
        {
          subject: `remember() while seeding, batches of ${SEED_BATCH.toLocaleString('en')}, ${SEED_IN_FLIGHT} in flight`,
          metric: 'remembers',
          value: seeded.perSecond,
          unit: 'remembers/s',
        },
        anchorP50,
        { ...recallP50, goal: `<= ${GOAL_P50_MS} ms`, met: recallP50.value <= GOAL_P50_MS },
        compare(measured(subjects.topic.name, 'p50', 'ms', rounds.topic), anchorP50),
        compare(measured(subjects.recency.name, 'p50', 'ms', rounds.recency), anchorP50),
        anchorP99,
        ...names
          .filter((n) => n !== 'anchor')
          .map((n) => compare(measured(subjects[n].name, p99Metric, 'ms', p99[n]), anchorP99)),
      ];
      return {
        rows,
        notes: [
          `${size.toLocaleString('en')} remembers into one user scope, ${deduplicated} de-duplicated into an existing memory, ${count.toLocaleString('en')} in the vector set; ${DIM} dims, Q8; ${texts.length} queries a round; the embedder is a table of precomputed vectors (no model in the timing)`,
          `while seeding: the main thread ran commands ${seeded.mainUsecPerWrite} µs per remember() (INFO stats eventloop_duration_cmd_sum); ${seeded.pings}`,
          `server time per call (INFO commandstats; VADD … CAS counts its background neighbour search too) while seeding: ${seeded.serverTime}; during the rounds (every subject): ${inRounds}`,
        ],
      };
    } finally {
      await removeKeys(client, [`${PREFIX}:*`]);
      await closeClient(client);
    }
  },
});
