/**
 * Vector sets on Redis 8 against exact brute force, per quantization (NOQUANT, Q8, BIN): ingest rate through the
 * pattern's pipelined upsert, query latency p50/p99 of `search()` (VSIM plus the attribute round trip), and
 * recall@5 and @10. The anchor is exact brute force computed in this process in the same run: its answers define
 * recall 1.0, and its query time is the speed a plain scan gives.
 *
 * Data: 10k x 768 random embedding-like vectors (a random 32-dimensional subspace plus noise, see the suite), and,
 * for the default Q8 only, i.i.d. Gaussian vectors: the worst case, with no structure for HNSW to exploit.
 */
import {
  closeClient,
  connect,
  ExactSearch,
  type Quantization,
  recallAtK,
  VectorSetIndex,
} from '@redis-agent-kit/patterns';
import { embeddingLikeVectors, isotropicVectors } from '../../suites/vector-search.suite.ts';
import { targetConnection } from '../../targets/describe.ts';
import { type BenchRow, compare, defineBenchmark, percentile } from '../benchmark.ts';

const DIM = 768;

interface Dataset {
  label: string;
  items: { id: string; vector: Float32Array; attributes: { n: number } }[];
  queries: Float32Array[];
}

/** Items and queries drawn together, so queries come from the same distribution (the same subspace) as the data. */
function dataset(label: string, make: (count: number, seed: number) => Float32Array[], count: number, queries: number) {
  const vectors = make(count + queries, 101);
  return {
    label,
    items: vectors.slice(0, count).map((vector, n) => ({ id: `v${n}`, vector, attributes: { n } })),
    queries: vectors.slice(count),
  };
}

function latencyRows(subject: string, samples: number[]): [BenchRow, BenchRow] {
  const sorted = [...samples].sort((a, b) => a - b);
  return [
    { subject, metric: 'query p50', value: percentile(sorted, 50), unit: 'ms' },
    { subject, metric: 'query p99', value: percentile(sorted, 99), unit: 'ms' },
  ];
}

export default defineBenchmark({
  id: 'vector-search',
  title: 'Vector set search vs exact brute force: ingest, latency, recall@5/@10 per quantization (10k x 768)',
  async run({ target, scale, log }) {
    const count = Math.max(1000, Math.round(10_000 * scale));
    const queryCount = Math.max(20, Math.round(200 * scale));
    const client = await connect(targetConnection(target));
    const rows: BenchRow[] = [];
    const notes = [
      `${count} vectors x ${DIM} dims, ${queryCount} queries, k = 10, default EF; recall is the share of the exact top k found`,
    ];
    try {
      const sets: [Dataset, Quantization[]][] = [
        [
          dataset('embedding-like', (n, seed) => embeddingLikeVectors(n, DIM, seed), count, queryCount),
          ['NOQUANT', 'Q8', 'BIN'],
        ],
        [dataset('i.i.d. Gaussian', (n, seed) => isotropicVectors(n, DIM, seed), count, queryCount), ['Q8']],
      ];
      for (const [data, quantizations] of sets) {
        const exact = new ExactSearch(data.items);
        const truth: string[][] = [];
        const bruteTimes: number[] = [];
        for (const query of data.queries) {
          const started = performance.now();
          truth.push(exact.topK(query, 10));
          bruteTimes.push(performance.now() - started);
        }
        const anchorSubject = `exact brute force, ${data.label} (anchor)`;
        const [bruteP50, bruteP99] = latencyRows(anchorSubject, bruteTimes);
        const anchorRecall = { subject: anchorSubject, metric: 'recall@10', value: 1, unit: '' };
        rows.push(bruteP50, bruteP99, { ...anchorRecall, metric: 'recall@5' }, anchorRecall);

        for (const quantization of quantizations) {
          const subject = `vector set ${quantization}, ${data.label}`;
          const index = new VectorSetIndex(client, {
            name: `bench-${quantization}`,
            keyPrefix: `rak:bench:vector-search:${quantization}`,
            dim: DIM,
            quantization,
          });
          await index.drop();
          try {
            log(`${subject}: ingesting ${count} vectors`);
            const started = performance.now();
            await index.upsert(data.items, { batchSize: 200 });
            const rate = count / ((performance.now() - started) / 1000);
            rows.push({ subject, metric: 'ingest', value: rate, unit: 'vectors/s' });

            const times: number[] = [];
            let recall5 = 0;
            let recall10 = 0;
            for (const [i, query] of data.queries.entries()) {
              const queryStarted = performance.now();
              const hits = await index.search(query, { k: 10 });
              times.push(performance.now() - queryStarted);
              const ids = hits.map((hit) => hit.id);
              recall5 += recallAtK(ids, truth[i] as string[], 5);
              recall10 += recallAtK(ids, truth[i] as string[], 10);
            }
            const [p50, p99] = latencyRows(subject, times);
            rows.push(compare(p50, bruteP50), compare(p99, bruteP99));
            // The goal: recall@10 >= 0.95 with default settings (Q8) on embedding-like data; NOQUANT
            // should do at least as well. BIN trades recall for speed and memory, and i.i.d. data is the worst case:
            // both are reported without a goal.
            const goal = data.label === 'embedding-like' && quantization !== 'BIN' ? { min: 0.95 } : undefined;
            const n = data.queries.length;
            rows.push(
              compare(
                { subject, metric: 'recall@5', value: recall5 / n, unit: '' },
                { ...anchorRecall, metric: 'recall@5' },
                goal,
              ),
              compare({ subject, metric: 'recall@10', value: recall10 / n, unit: '' }, anchorRecall, goal),
            );
          } finally {
            await index.drop();
          }
        }
      }
      return { rows, notes };
    } finally {
      await closeClient(client);
    }
  },
});
