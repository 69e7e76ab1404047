/**
 * Vector sets on Redis 8 against exact brute force, per quantization (NOQUANT, Q8, BIN): ingest rate through the
 * pattern's pipelined upsert, query latency p50/p99 of `search()` (VSIM plus the attribute round trip), and
 * recall@5 and @10. The anchor is exact brute force computed in this process in the same run: its answers define
 * recall 1.0, and its query time is the speed a plain scan gives.
 *
 * Data: 10k x 768 random embedding-like vectors (a random 32-dimensional subspace plus noise, see the suite), and,
 * for the default Q8 only, i.i.d. Gaussian vectors: the worst case, with no structure for HNSW to exploit. Where
 * the server has search and JSON, the FT.CREATE on JSON backend is measured on the embedding-like data too.
 */
import { closeClient, connect } from '@redis-agent-kit/patterns';
import {
  ExactSearch,
  openVectorIndex,
  type Quantization,
  recallAtK,
  type VectorIndex,
} from '@redis-agent-kit/patterns/vector';
import { embeddingLikeVectors, isotropicVectors } from '../../suites/vector-search-data.ts';
import { targetConnection } from '../../targets/describe.ts';
import {
  alternatingRounds,
  type BenchRow,
  compare,
  defineBenchmark,
  measured,
  percentile,
  ROUNDS,
} from '../benchmark.ts';

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

interface Run {
  name: string;
  data: Dataset;
  open(keyPrefix: string): VectorIndex;
}

interface Anchor {
  exact: ExactSearch;
  truth: string[][];
  rows: BenchRow[];
  recall5: BenchRow;
  recall10: BenchRow;
}

/** Exact top 10 of every query by brute force: the recall truth (timed per run, in rounds, by `measure`). */
function bruteForce(data: Dataset): Anchor {
  const exact = new ExactSearch(data.items);
  const truth = data.queries.map((query) => exact.topK(query, 10));
  const subject = `exact brute force, ${data.label} (anchor)`;
  const recall5 = { subject, metric: 'recall@5', value: 1, unit: '' };
  const recall10 = { ...recall5, metric: 'recall@10' };
  return { exact, truth, recall5, recall10, rows: [recall5, recall10] };
}

/** Milliseconds `run` took for each item. */
async function timesOf<T>(items: T[], run: (item: T) => unknown): Promise<number[]> {
  const times: number[] = [];
  for (const item of items) {
    const started = performance.now();
    await run(item);
    times.push(performance.now() - started);
  }
  return times;
}

/**
 * Ingest rate, query latency and recall of one index against the anchor. The queries are split into one chunk per
 * round; each round times brute force and the index on the same chunk, alternating which goes first, the first
 * round discarded: the p50 ratio is the median of the per-round ratios.
 */
async function measure(run: Run, anchor: Anchor, keyPrefix: string, log: (line: string) => void): Promise<BenchRow[]> {
  const { data } = run;
  const subject = `${run.name}, ${data.label}`;
  const index = run.open(keyPrefix);
  await index.drop();
  await index.ensure();
  try {
    const started = performance.now();
    await index.upsert(data.items, { batchSize: 200 });
    // FT indexes in the background: the ingest is done when every document is searchable.
    const deadline = performance.now() + 60_000;
    while ((await index.info()).count < data.items.length) {
      if (performance.now() > deadline) throw new Error(`${subject}: not every item was searchable after 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const rate = data.items.length / ((performance.now() - started) / 1000);
    const chunks = ROUNDS.warmup + ROUNDS.measured;
    const size = Math.ceil(data.queries.length / chunks);
    const chunk = (i: number) => data.queries.slice(i * size, (i + 1) * size);
    const positions = { anchor: 0, index: 0 };
    const times = { anchor: [] as number[], index: [] as number[] };
    let recall5 = 0;
    let recall10 = 0;
    const rounds = await alternatingRounds(
      {
        anchor: async () => {
          const round = positions.anchor++;
          const t = await timesOf(chunk(round), (query) => anchor.exact.topK(query, 10));
          if (round >= ROUNDS.warmup) times.anchor.push(...t);
          return percentile([...t].sort((x, y) => x - y), 50);
        },
        index: async () => {
          const round = positions.index++;
          const queries = chunk(round);
          const t = await timesOf([...queries.keys()], async (j) => {
            const ids = (await index.search(queries[j] as Float32Array, { k: 10 })).map((hit) => hit.id);
            const truth = anchor.truth[round * size + j] as string[];
            recall5 += recallAtK(ids, truth, 5);
            recall10 += recallAtK(ids, truth, 10);
          });
          if (round >= ROUNDS.warmup) times.index.push(...t);
          return percentile([...t].sort((x, y) => x - y), 50);
        },
      },
      { log: (line) => log(`${subject}: queries ${line}`) },
    );
    // The goal: recall@10 >= 0.95 with default settings (Q8) on embedding-like data; NOQUANT should do at
    // least as well. BIN trades recall for speed and memory, i.i.d. data is the worst case, and FT's default
    // EF_RUNTIME is 10: those are reported without a goal.
    const goal =
      data.label === 'embedding-like' && /^vector set (Q8|NOQUANT)$/.test(run.name) ? { min: 0.95 } : undefined;
    const n = data.queries.length;
    const anchorSubject = `exact brute force, ${data.label} (anchor, timed beside ${run.name})`;
    const anchorP50 = measured(anchorSubject, 'query p50', 'ms', rounds.anchor);
    const p99 = (who: string, all: number[]) => ({
      subject: who,
      metric: 'query p99 (all measured rounds)',
      value: percentile([...all].sort((x, y) => x - y), 99),
      unit: 'ms',
    });
    return [
      { subject, metric: 'ingest', value: rate, unit: 'vectors/s' },
      anchorP50,
      compare(measured(subject, 'query p50', 'ms', rounds.index), anchorP50),
      p99(anchorSubject, times.anchor),
      p99(subject, times.index),
      compare({ subject, metric: 'recall@5', value: recall5 / n, unit: '' }, anchor.recall5, goal),
      compare({ subject, metric: 'recall@10', value: recall10 / n, unit: '' }, anchor.recall10, goal),
    ];
  } finally {
    await index.drop();
  }
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
      const embeddingLike = dataset(
        'embedding-like',
        (n, seed) => embeddingLikeVectors(n, DIM, seed),
        count,
        queryCount,
      );
      const gaussianData = dataset('i.i.d. Gaussian', (n, seed) => isotropicVectors(n, DIM, seed), count, queryCount);
      const caps = target.capabilities;
      const open = (keyPrefix: string, backend: 'vector-set' | 'ft-json', quantization?: Quantization) =>
        openVectorIndex(client, {
          name: 'bench',
          keyPrefix,
          dim: DIM,
          backend,
          ...(quantization ? { quantization } : {}),
          capabilities: caps,
        });
      const vectorSet = (quantization: Quantization) => (prefix: string) => open(prefix, 'vector-set', quantization);
      const runs: Run[] = [
        ...(['NOQUANT', 'Q8', 'BIN'] as const).map((q) => ({
          name: `vector set ${q}`,
          data: embeddingLike,
          open: vectorSet(q),
        })),
        { name: 'vector set Q8', data: gaussianData, open: vectorSet('Q8') },
      ];
      if (caps.search && caps.json) {
        runs.push({
          name: 'FT.CREATE on JSON, HNSW, EF_RUNTIME 10 (server default)',
          data: embeddingLike,
          open: (prefix) => open(prefix, 'ft-json'),
        });
      } else {
        notes.push('FT.CREATE on JSON not measured: this server has no search and JSON');
      }
      const anchors = new Map<Dataset, Anchor>();
      for (const [i, run] of runs.entries()) {
        let anchor = anchors.get(run.data);
        if (!anchor) {
          anchor = bruteForce(run.data);
          anchors.set(run.data, anchor);
          rows.push(...anchor.rows);
        }
        log(`${run.name}, ${run.data.label}: ingesting ${count} vectors`);
        rows.push(...(await measure(run, anchor, `rak:bench:vector-search:${i}`, log)));
      }
      return { rows, notes };
    } finally {
      await closeClient(client);
    }
  },
});
