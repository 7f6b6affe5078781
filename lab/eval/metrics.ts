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

export type Operating = {
  threshold: number;
  accuracy: number;
  coverage: number;
  answered_precision: number;
  answerable: { n: number; answered: number; correct: number };
  unanswerable: { n: number; refused: number };
};

const squash = (s: string) => s.replace(/\s+/g, " ").trim().toLowerCase();

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
        c.gold ?? o.goldAnswers.some((g) => squash(c.quote).includes(squash(g)));
      if (cited.some(isGold)) answerable.correct += 1;
    } else {
      unanswerable.n += 1;
      if (!answered) unanswerable.refused += 1;
    }
  }
  const total = answerable.n + unanswerable.n;
  const answeredAll = answerable.answered + (unanswerable.n - unanswerable.refused);
  return {
    threshold,
    accuracy: total ? (answerable.correct + unanswerable.refused) / total : 0,
    coverage: total ? answeredAll / total : 0,
    answered_precision: answeredAll ? answerable.correct / answeredAll : 0,
    answerable,
    unanswerable,
  };
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

/** Thresholds 0.00..1.00 in steps of 0.01. */
export function sweep(outcomes: Outcome[]): Operating[] {
  return Array.from({ length: 101 }, (_, i) => scoreAt(outcomes, i / 100));
}

/** The most accurate threshold, optionally only among those meeting a precision floor. */
export function bestThreshold(points: Operating[], minPrecision = 0): Operating {
  const eligible = points.filter((p) => p.answered_precision >= minPrecision && p.coverage > 0);
  const pool = eligible.length ? eligible : points;
  return pool.reduce((best, p) => (p.accuracy > best.accuracy ? p : best));
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest-rank: the smallest value with at least p% of the sample at or below it.
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
