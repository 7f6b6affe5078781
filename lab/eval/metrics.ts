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

/**
 * One threshold for every question, or each question's own (claims may have their own), with the
 * threshold the operating point states as its own.
 */
export type Threshold = number | { stated: number; of: (o: Outcome) => number };

const thresholdOf = (threshold: Threshold, o: Outcome) =>
  typeof threshold === "number" ? threshold : threshold.of(o);

/** Whether what `o` cites at `threshold` holds gold evidence (it must be answerable). */
function citesGold(o: Outcome, threshold: number): boolean {
  const cited = o.citations.filter((c) => c.score >= threshold);
  return cited.some((c) => c.gold ?? quoteHasAnswer(c.quote, o.goldAnswers));
}

/** Replay the policy at `threshold`: answer when the best score clears it, cite what clears it. */
export function scoreAt(outcomes: Outcome[], threshold: Threshold): Operating {
  const answerable = { n: 0, answered: 0, correct: 0 };
  const unanswerable = { n: 0, refused: 0 };
  for (const o of outcomes) {
    const t = thresholdOf(threshold, o);
    const answered = o.bestScore !== null && o.bestScore >= t;
    if (o.answerable) {
      answerable.n += 1;
      if (!answered) continue;
      answerable.answered += 1;
      if (citesGold(o, t)) answerable.correct += 1;
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
  const stated = typeof threshold === "number" ? threshold : threshold.stated;
  return { ...rateTally(stated, tally, 0), answerable, unanswerable };
}

/**
 * The calibration label of each scored question: would answering it at its own best score have
 * been correct? Answerable and citing gold evidence at that score; answering an unanswerable
 * question never is. Questions without a score (nothing found, unverified, invalid) are left out.
 */
export function calibrationPair(o: Outcome): { score: number; correct: boolean } | null {
  if (o.bestScore === null) return null;
  return { score: o.bestScore, correct: o.answerable && citesGold(o, o.bestScore) };
}

/**
 * Citations the policy would return at `threshold`: `total` selected for verification, `verified`
 * those that passed (the answers' citations, counted by their own `verified` flag).
 */
export function citationCounts(
  outcomes: Outcome[],
  threshold: Threshold,
): { total: number; verified: number } {
  let total = 0;
  let verified = 0;
  for (const o of outcomes) {
    const t = thresholdOf(threshold, o);
    total += o.selectedScores.filter((s) => s >= t).length;
    verified += o.citations.filter((c) => c.score >= t && c.verified === true).length;
  }
  return { total, verified };
}

/** The policy replayed at thresholds 0.00..1.00. */
export function sweepOutcomes(outcomes: Outcome[]): Operating[] {
  return sweepThresholds(THRESHOLD_STEPS, (threshold) => scoreAt(outcomes, threshold));
}
