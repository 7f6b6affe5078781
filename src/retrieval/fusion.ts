/** Rank constant of reciprocal rank fusion (Cormack et al. 2009). */
const RRF_K = 60;

export type RankedList = { weight: number; ids: string[] };

/**
 * Weighted reciprocal rank fusion. Plain RRF of BM25 and USE-lite does worse than BM25 alone on
 * our evaluation data, so each list carries a weight and the lexical list counts for more.
 */
export function fuseRankings(lists: RankedList[]): { id: string; score: number }[] {
  const scores = new Map<string, number>();
  for (const { weight, ids } of lists) {
    ids.forEach((id, rank) => scores.set(id, (scores.get(id) ?? 0) + weight / (RRF_K + rank + 1)));
  }
  return [...scores.entries()]
    .map(([id, score]) => ({ id, score }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
}
