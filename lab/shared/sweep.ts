/**
 * The lab's one threshold sweep. Eval replays the refusal policy at every support threshold;
 * training replays the verifier at every probability threshold on held-out decisions. Both state
 * an operating point with the same three numbers, computed here, and pick thresholds the same way.
 */

/** What answering at `threshold` gives, as every lab report and artefact states it. */
export type OperatingPoint = {
  threshold: number;
  /** Share of questions handled right: answered with gold evidence, or refused as unanswerable. */
  accuracy: number;
  /** Share of questions answered. */
  coverage: number;
  /** Share of the answered questions answered with gold evidence. */
  answered_precision: number;
};

/** The counts behind an operating point. */
export type Tally = {
  questions: number;
  /** Answered with gold evidence, plus unanswerable ones refused. */
  correct: number;
  answered: number;
  answeredCorrect: number;
};

/**
 * Answered precision when nothing is answered is 0/0; the lab states it two ways, each kept so no
 * recorded figure moves:
 * - `0` in eval's reports and sweep plots (the sweep's right end reads precision 0, coverage 0);
 * - `1` in the verifier's cross-validated operating points (vacuously precise), as written into
 *   the verifier artefact's `crossValidation.points`.
 * No threshold choice depends on it: every pick by precision below also requires coverage > 0.
 */
export type NothingAnsweredPrecision = 0 | 1;

/** Accuracy, coverage and answered precision of a tally; 0 for a tally of no questions. */
export function rateTally(
  threshold: number,
  tally: Tally,
  nothingAnswered: NothingAnsweredPrecision,
): OperatingPoint {
  const { questions, correct, answered, answeredCorrect } = tally;
  return {
    threshold,
    accuracy: questions ? correct / questions : 0,
    coverage: questions ? answered / questions : 0,
    answered_precision: answered ? answeredCorrect / answered : nothingAnswered,
  };
}

/**
 * `pointAt` at thresholds 0, 1/steps, ..., 1. Computed as `i / steps`, not by adding a step, so
 * threshold 0.07 is exactly the number 0.07 a policy file or a lookup would state.
 */
export function sweepThresholds<P>(steps: number, pointAt: (threshold: number) => P): P[] {
  return Array.from({ length: steps + 1 }, (_, i) => pointAt(i / steps));
}

/** The most accurate point; on a tie the first, which in a sweep is the lowest threshold. */
export function pickMostAccurate<P extends OperatingPoint>(points: P[]): P {
  return points.reduce((best, p) => (p.accuracy > best.accuracy ? p : best));
}

/** The most accurate point that answers something at or above `minPrecision`; null if none does. */
export function pickMostAccurateAtPrecision<P extends OperatingPoint>(
  points: P[],
  minPrecision: number,
): P | null {
  const eligible = points.filter((p) => p.coverage > 0 && p.answered_precision >= minPrecision);
  return eligible.length ? pickMostAccurate(eligible) : null;
}

/**
 * The lowest-threshold point that answers something at or above `targetPrecision` (the first in
 * a sweep); null if none does. Precision need not rise with the threshold: a higher one may
 * dip below the target again.
 */
export function pickLowestAtPrecision<P extends OperatingPoint>(
  points: P[],
  targetPrecision: number,
): P | null {
  const eligible = points.filter((p) => p.coverage > 0 && p.answered_precision >= targetPrecision);
  return eligible.reduce<P | null>(
    (lowest, p) => (lowest === null || p.threshold < lowest.threshold ? p : lowest),
    null,
  );
}
