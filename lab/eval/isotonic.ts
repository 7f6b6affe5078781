import { round } from "../shared/stats.ts";

/** One scored item of an evaluation run: would an answer at `score` have been correct? */
export type CalibrationPair = { score: number; correct: boolean };

/** A run of items pooled to one probability: their summed score, count and correct count. */
type Block = { scoreSum: number; n: number; correct: number };

const mean = (b: Block) => b.correct / b.n;
const pool = (a: Block, b: Block): Block => ({
  scoreSum: a.scoreSum + b.scoreSum,
  n: a.n + b.n,
  correct: a.correct + b.correct,
});
/** What pooling two blocks adds to the squared error: the price of the merge. */
const mergeCost = (a: Block, b: Block) => ((a.n * b.n) / (a.n + b.n)) * (mean(a) - mean(b)) ** 2;

/**
 * An isotonic calibration of scores into probabilities of being correct, as at most `maxPoints`
 * points `[score, probability]` for a ConfidenceMap. Pool-adjacent-violators gives the
 * non-decreasing step function closest (least squares) to the outcomes; its blocks are then
 * merged, cheapest first, so that no block rests on fewer than 1/(2 maxPoints) of the items and
 * at most `maxPoints` remain. Pooling neighbours of a non-decreasing sequence keeps it
 * non-decreasing, and the size floor keeps a handful of lucky top scores from claiming
 * certainty. Each block becomes one point at its mean score, so the map interpolates between
 * block centres rather than jumping at block edges.
 */
export function fitIsotonic(pairs: CalibrationPair[], maxPoints = 20): [number, number][] {
  if (pairs.length === 0) return [];
  const sorted = [...pairs].sort((a, b) => a.score - b.score);
  const blocks: Block[] = [];
  for (const [i, { score, correct }] of sorted.entries()) {
    const item = { scoreSum: score, n: 1, correct: correct ? 1 : 0 };
    // Equal scores must get one probability: they start as one block.
    if (i > 0 && score === sorted[i - 1]!.score) blocks.push(pool(blocks.pop()!, item));
    else blocks.push(item);
    while (blocks.length > 1 && mean(blocks[blocks.length - 2]!) >= mean(blocks.at(-1)!)) {
      const last = blocks.pop()!;
      blocks.push(pool(blocks.pop()!, last));
    }
  }
  const minN = Math.floor(pairs.length / (2 * Math.max(1, maxPoints)));
  for (;;) {
    const small = blocks.some((b) => b.n < minN);
    if (blocks.length <= 1 || (!small && blocks.length <= maxPoints)) break;
    // Merge the cheapest neighbours; while blocks are too small, only pairs holding one.
    let at = -1;
    let cost = Infinity;
    for (let i = 0; i + 1 < blocks.length; i++) {
      if (small && blocks[i]!.n >= minN && blocks[i + 1]!.n >= minN) continue;
      const c = mergeCost(blocks[i]!, blocks[i + 1]!);
      if (c < cost) [at, cost] = [i, c];
    }
    blocks.splice(at, 2, pool(blocks[at]!, blocks[at + 1]!));
  }
  const points = blocks.map((b): [number, number] => [
    round(b.scoreSum / b.n, 4),
    round(mean(b), 4),
  ]);
  // Rounding can make two block centres equal; a map needs increasing scores.
  return points.filter((p, i) => i === 0 || p[0] > points[i - 1]![0]);
}
