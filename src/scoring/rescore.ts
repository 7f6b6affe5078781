import type { CrossEncoder } from "./cross-encoder.ts";
import type { ScoredSentence } from "./evidence.ts";

/**
 * Re-score a question's sentences with the cross-encoder: the best `depth` by their current
 * `score` get its probability, the rest 0 (a cross-encoder pass costs a forward run per sentence,
 * so only the shortlist is read, and a sentence it did not read cannot answer). Returned best
 * first; ties keep the earlier order, so the unread sentences stay in their old ranking. The
 * input sentences are left as they were.
 */
export async function rescoreWithCrossEncoder(
  encoder: CrossEncoder,
  question: string,
  sentences: ScoredSentence[],
  depth: number,
): Promise<ScoredSentence[]> {
  if (!Number.isInteger(depth) || depth < 1)
    throw new RangeError(`depth must be a positive integer, not ${depth}`);
  const ranked = [...sentences].sort((a, b) => b.score - a.score);
  const shortlist = ranked.slice(0, depth);
  const probabilities = await encoder.score(
    question,
    shortlist.map((s) => s.text),
  );
  if (probabilities.length !== shortlist.length)
    throw new Error(
      `${encoder.id} returned ${probabilities.length} scores for ${shortlist.length} sentences`,
    );
  return ranked
    .map((s, i) => ({ ...s, score: i < shortlist.length ? probabilities[i]! : 0 }))
    .sort((a, b) => b.score - a.score);
}
