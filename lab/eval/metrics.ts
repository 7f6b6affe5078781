import { quoteHasAnswer } from "../corpora/squad.ts";
import { rateTally, sweepThresholds, type OperatingPoint } from "../shared/sweep.ts";

/** Policy thresholds are stated to two decimals, so the sweep steps by 0.01. */
const THRESHOLD_STEPS = 100;

/** What one question produced, enough to replay the refusal decision at any threshold. */
export type Outcome = {
  id: string;
  answerable: boolean;
  goldAnswers: string[];
  /** Best support score; null when retrieval found nothing to score (refused at any threshold). */
  bestScore: number | null;
  /**
   * What the answer cited at threshold 0. `gold` is the dataset's judgement of the citation
   * (SciFact: a rationale sentence); without it a quote is correct when it contains a gold answer.
   */
  citations: { quote: string; score: number; gold?: boolean; verified?: boolean }[];
  /** Scores of the sentences selected for verification at threshold 0 (verified or not). */
  selectedScores: number[];
  latencyMs: number;
};

/** An operating point with the counts behind it, split by answerability. */
export type Operating = OperatingPoint & {
  answerable: { n: number; answered: number; correct: number };
  unanswerable: { n: number; refused: number };
};

/** Replay the policy at `threshold`: answer when the best score clears it, cite what clears it. */
export function scoreAt(outcomes: Outcome[], threshold: number): Operating {
  const answerable = { n: 0, answered: 0, correct: 0 };
  const unanswerable = { n: 0, refused: 0 };
  for (const o of outcomes) {
    const answered = o.bestScore !== null && o.bestScore >= threshold;
    if (o.answerable) {
      answerable.n += 1;
      if (!answered) continue;
      answerable.answered += 1;
      const cited = o.citations.filter((c) => c.score >= threshold);
      const isGold = (c: (typeof cited)[number]) =>
        c.gold ?? quoteHasAnswer(c.quote, o.goldAnswers);
      if (cited.some(isGold)) answerable.correct += 1;
    } else {
      unanswerable.n += 1;
      if (!answered) unanswerable.refused += 1;
    }
  }
  const tally = {
    questions: answerable.n + unanswerable.n,
    correct: answerable.correct + unanswerable.refused,
    answered: answerable.answered + (unanswerable.n - unanswerable.refused),
    answeredCorrect: answerable.correct,
  };
  return { ...rateTally(threshold, tally, 0), answerable, unanswerable };
}

/**
 * Citations the policy would return at `threshold`: `total` selected for verification, `verified`
 * those that passed (the answers' citations, counted by their own `verified` flag).
 */
export function citationCounts(
  outcomes: Outcome[],
  threshold: number,
): { total: number; verified: number } {
  let total = 0;
  let verified = 0;
  for (const o of outcomes) {
    total += o.selectedScores.filter((s) => s >= threshold).length;
    verified += o.citations.filter((c) => c.score >= threshold && c.verified === true).length;
  }
  return { total, verified };
}

/** The policy replayed at thresholds 0.00..1.00. */
export function sweepOutcomes(outcomes: Outcome[]): Operating[] {
  return sweepThresholds(THRESHOLD_STEPS, (threshold) => scoreAt(outcomes, threshold));
}
