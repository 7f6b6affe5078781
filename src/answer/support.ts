import type { QueryTerms } from "../retrieval/lexical.ts";

/**
 * How much of the question a piece of evidence covers: the idf-weighted share of the question's
 * lexemes it contains. Rare words (names, products, modifiers) weigh most, so "Premium plan
 * price" is poorly covered by a sentence about the Basic plan's price even though most words match.
 */
export function coverage(query: QueryTerms, evidenceLexemes: ReadonlySet<string>): number {
  let total = 0;
  let covered = 0;
  for (const t of query.terms) {
    total += t.idf;
    if (evidenceLexemes.has(t.lexeme)) covered += t.idf;
  }
  return total > 0 ? covered / total : 0;
}

export type SupportSignals = {
  /** Coverage of the question by the sentence alone. */
  sentenceCoverage: number;
  /** Coverage by the sentence's chunk: a sentence may lean on its neighbours ("It costs $8."). */
  chunkCoverage: number;
  /** Cosine similarity of question and chunk under the sentence encoder. */
  denseSimilarity: number;
};

/** Weights of the support score; they sum to one so the score stays in [0, 1]. */
export const SUPPORT_WEIGHTS = { sentence: 0.7, chunk: 0.15, dense: 0.15 } as const;

/** One number in [0, 1] that the refusal threshold is applied to. */
export function supportScore(s: SupportSignals): number {
  const w = SUPPORT_WEIGHTS;
  return (
    w.sentence * s.sentenceCoverage +
    w.chunk * s.chunkCoverage +
    w.dense * Math.max(0, s.denseSimilarity)
  );
}
