import { describe, expect, it } from 'vitest';
import { pickThreshold, precisionRecall, scorePairs } from '../src/semantic-cache/calibration.ts';
import { createHashingEmbedder } from '../src/vector/index.ts';

const pairs = [
  { similarity: 0.99, same: true },
  { similarity: 0.96, same: false },
  { similarity: 0.95, same: true },
  { similarity: 0.9, same: true },
  { similarity: 0.8, same: false },
];

describe('semantic cache calibration', () => {
  it('counts hits at or above each threshold into precision and recall', () => {
    const [high, mid, low, none] = precisionRecall(pairs, [0.97, 0.95, 0.8, 1]);
    expect(high).toEqual({
      threshold: 0.97,
      precision: 1,
      recall: 1 / 3,
      truePositives: 1,
      falsePositives: 0,
      falseNegatives: 2,
    });
    expect(mid).toMatchObject({
      precision: 2 / 3,
      recall: 2 / 3,
      truePositives: 2,
      falsePositives: 1,
      falseNegatives: 1,
    });
    expect(low).toMatchObject({ precision: 3 / 5, recall: 1, falseNegatives: 0 });
    // No hit: precision is undefined, not 0 or 1.
    expect(none).toMatchObject({ precision: undefined, recall: 0, truePositives: 0 });
    expect(precisionRecall([{ similarity: 0.9, same: false }], [0.5])[0]?.recall).toBeUndefined();
  });

  it('picks the lowest threshold reaching the precision asked, or none', () => {
    const rows = precisionRecall(pairs, [0.8, 0.9, 0.95, 0.97]);
    expect(pickThreshold(rows, 0.8)?.threshold).toBe(0.97);
    expect(pickThreshold(rows, 0.75)?.threshold).toBe(0.9);
    expect(pickThreshold(rows, 0.6)?.threshold).toBe(0.8);
    expect(pickThreshold(precisionRecall(pairs, [0.96]), 0.9)).toBeUndefined();
  });

  it('scores pairs as (1 + cos) / 2 of their embeddings', async () => {
    const embedder = createHashingEmbedder({ dim: 64 });
    const [same, other] = await scorePairs(embedder, [
      { a: 'reset my password', b: 'reset my password', same: true },
      { a: 'reset my password', b: 'zzzz qqqq', same: false },
    ]);
    expect(same?.similarity).toBeCloseTo(1, 6);
    expect(other?.similarity).toBeLessThan(0.9);
    expect(other?.same).toBe(false);
  });
});
