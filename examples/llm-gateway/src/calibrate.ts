/**
 * `npm run calibrate [-- <pairs.json>]`: precision and recall per threshold of the semantic cache on a labelled set
 * of prompt pairs (default data/calibration-set.json), for the embedder the environment names (EMBEDDINGS_URL and
 * EMBEDDINGS_MODEL for an OpenAI-compatible endpoint, else the local hashing embedder). Prints the lowest threshold
 * reaching MIN_PRECISION (default 0.95): set it as SEMANTIC_THRESHOLD. Needs no Redis.
 */
import { readFileSync } from 'node:fs';
import {
  type LabelledPair,
  pickThreshold,
  precisionRecall,
  scorePairs,
} from '@redis-agent-kit/patterns/semantic-cache';
import { embedderFromEnv } from '@redis-agent-kit/patterns/vector';

const file = process.argv[2] ?? new URL('../data/calibration-set.json', import.meta.url).pathname;
const minPrecision = Number(process.env.MIN_PRECISION ?? 0.95);
if (!(minPrecision > 0 && minPrecision <= 1)) {
  console.error(`MIN_PRECISION must be in (0, 1], got "${process.env.MIN_PRECISION}"`);
  process.exit(2);
}

function readPairs(path: string): LabelledPair[] {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { pairs?: unknown };
  const pairs = parsed.pairs;
  const valid = (p: unknown): p is LabelledPair =>
    typeof p === 'object' &&
    p !== null &&
    typeof (p as LabelledPair).a === 'string' &&
    typeof (p as LabelledPair).b === 'string' &&
    typeof (p as LabelledPair).same === 'boolean';
  if (!Array.isArray(pairs) || pairs.length === 0 || !pairs.every(valid)) {
    throw new Error(`${path}: expected {"pairs": [{"a": "…", "b": "…", "same": true|false}, …]}`);
  }
  return pairs;
}

const pct = (x: number | undefined) => (x === undefined ? '   -  ' : `${(100 * x).toFixed(1).padStart(5)}%`);

const pairs = readPairs(file);
const embedder = embedderFromEnv(process.env);
const scored = await scorePairs(embedder, pairs);
const thresholds = Array.from({ length: 21 }, (_, i) => Math.round((0.8 + i * 0.01) * 100) / 100);
const rows = precisionRecall(scored, thresholds);

console.log(
  `embedder ${embedder.model} (${embedder.dim} dimensions); ${pairs.length} pairs, ${scored.filter((p) => p.same).length} with the same answer`,
);
if (!process.env.EMBEDDINGS_URL) {
  console.log(
    'note: the local hashing embedder matches spelling, not meaning: a one-word change (another city, another',
  );
  console.log(
    '      product) scores high and a paraphrase in other words low. Set EMBEDDINGS_URL and EMBEDDINGS_MODEL to',
  );
  console.log('      calibrate a real model.');
}
console.log('threshold  precision  recall   hits  false hits  missed');
for (const row of rows) {
  const hits = row.truePositives + row.falsePositives;
  console.log(
    `${row.threshold.toFixed(2).padStart(9)}  ${pct(row.precision).padStart(9)}  ${pct(row.recall)}  ${String(hits).padStart(5)}  ${String(row.falsePositives).padStart(10)}  ${String(row.falseNegatives).padStart(6)}`,
  );
}
const picked = pickThreshold(rows, minPrecision);
console.log(
  picked
    ? `lowest threshold with precision >= ${pct(minPrecision).trim()}: ${picked.threshold.toFixed(2)} (recall ${pct(picked.recall).trim()}): SEMANTIC_THRESHOLD=${picked.threshold.toFixed(2)}`
    : `no threshold in ${thresholds[0]}..${thresholds.at(-1)} reaches precision ${pct(minPrecision).trim()} on this set`,
);
