/** Documents in the order retrieval first reached them: a chunk's rank stands for its document. */
export function rankDocuments(candidates: { sourceId: string; path: string }[]): string[] {
  return [...new Set(candidates.map((c) => `${c.sourceId}:${c.path}`))];
}

/** Share of the gold documents among the first k ranked; null when there is no gold document. */
export function recallAt(ranked: string[], gold: string[], k: number): number | null {
  const wanted = new Set(gold);
  if (wanted.size === 0) return null;
  return ranked.slice(0, k).filter((d) => wanted.has(d)).length / wanted.size;
}

/** nDCG@k with binary relevance; null when there is no gold document. */
export function ndcgAt(ranked: string[], gold: string[], k: number): number | null {
  const wanted = new Set(gold);
  if (wanted.size === 0) return null;
  const gain = (rank: number) => 1 / Math.log2(rank + 2);
  const dcg = ranked
    .slice(0, k)
    .reduce((sum, d, rank) => sum + (wanted.has(d) ? gain(rank) : 0), 0);
  let ideal = 0;
  for (let rank = 0; rank < Math.min(wanted.size, k); rank++) ideal += gain(rank);
  return dcg / ideal;
}

export type RetrievalScores = {
  /** Questions with at least one gold document: the ones averaged over. */
  questions: number;
  /** Mean number of distinct documents ranked (at most the depth in chunks). */
  mean_documents: number;
  recall_at_5: number;
  recall_at_10: number;
  ndcg_at_10: number;
};

/** Mean recall@5, recall@10 and nDCG@10 over the questions that have gold documents. */
export function scoreRetrieval(runs: { ranked: string[]; gold: string[] }[]): RetrievalScores {
  const judged = runs.filter((r) => r.gold.length > 0);
  const mean = (f: (r: { ranked: string[]; gold: string[] }) => number) =>
    judged.length ? judged.reduce((sum, r) => sum + f(r), 0) / judged.length : 0;
  return {
    questions: judged.length,
    mean_documents: mean((r) => r.ranked.length),
    recall_at_5: mean((r) => recallAt(r.ranked, r.gold, 5)!),
    recall_at_10: mean((r) => recallAt(r.ranked, r.gold, 10)!),
    ndcg_at_10: mean((r) => ndcgAt(r.ranked, r.gold, 10)!),
  };
}
