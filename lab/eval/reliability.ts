import { confidenceFor, type Policy } from "../../src/answer/policy.ts";
import { calibratedConfidence, type ConfidenceMap } from "../../src/scoring/confidence.ts";
import { isQuestion } from "../../src/scoring/question-form.ts";
import { round } from "../shared/stats.ts";
import { fitIsotonic, type CalibrationPair } from "./isotonic.ts";
import { calibrationPair, type Outcome } from "./metrics.ts";

/** Equal-width bins of predicted probability, for the reliability diagram and the ECE. */
export const BINS = 10;

export type Form = "question" | "claim";

export type ReliabilityBin = {
  lo: number;
  hi: number;
  n: number;
  /** Mean predicted probability in the bin; null for an empty bin. */
  confidence: number | null;
  /** Share correct in the bin; null for an empty bin. */
  accuracy: number | null;
};

/** How well predicted probabilities match observed accuracy. */
export type Reliability = {
  n: number;
  /** Expected calibration error: sum over bins of (bin share) x |accuracy - confidence|. */
  ece: number;
  bins: ReliabilityBin[];
};

export type CalibrationReport = {
  /** Scored questions, each one pair (best score, correct if answered at it). */
  pairs: number;
  /** Isotonic maps fitted on this run's pairs of each form; null when it has none of a form. */
  fitted: Record<Form, ConfidenceMap | null>;
  /** The support score read as a probability. */
  raw: Reliability;
  /** The policy's confidence maps, over the pairs whose form has one; null when none has. */
  policy: Reliability | null;
  /** This run's fitted maps on their own data: optimistic, a check of the fit, not a test. */
  fitted_in_sample: Reliability;
};

/** One evaluated question: its outcome and its text (whose form picks the threshold and map). */
export type FormItem = { outcome: Outcome; text: string };

export const formOf = (text: string): Form => (isQuestion(text) ? "question" : "claim");

export function reliability(predictions: { p: number; correct: boolean }[]): Reliability {
  const bins = Array.from({ length: BINS }, (_, i) => ({
    lo: i / BINS,
    hi: (i + 1) / BINS,
    n: 0,
    p: 0,
    correct: 0,
  }));
  for (const { p, correct } of predictions) {
    const bin = bins[Math.min(BINS - 1, Math.max(0, Math.floor(p * BINS)))]!;
    bin.n += 1;
    bin.p += p;
    bin.correct += correct ? 1 : 0;
  }
  const n = predictions.length;
  const ece = bins.reduce(
    (sum, b) => (b.n ? sum + (b.n / n) * Math.abs(b.correct / b.n - b.p / b.n) : sum),
    0,
  );
  return {
    n,
    ece: round(ece, 4),
    bins: bins.map((b) => ({
      lo: round(b.lo, 1),
      hi: round(b.hi, 1),
      n: b.n,
      confidence: b.n ? round(b.p / b.n, 4) : null,
      accuracy: b.n ? round(b.correct / b.n, 4) : null,
    })),
  };
}

type Labelled = CalibrationPair & { text: string; form: Form };

/**
 * The calibration block of a report: the maps fitted on this run per form, and the reliability
 * of the raw score, of the policy's maps and of the fitted maps. `fittedOn` names a form's fit.
 */
export function buildCalibration(
  items: FormItem[],
  policy: Policy,
  fittedOn: (form: Form) => string,
): CalibrationReport {
  const labelled: Labelled[] = items.flatMap(({ outcome, text }) => {
    const pair = calibrationPair(outcome);
    return pair ? [{ ...pair, text, form: formOf(text) }] : [];
  });
  const fit = (form: Form): ConfidenceMap | null => {
    const pairs = labelled.filter((l) => l.form === form);
    if (pairs.length === 0) return null;
    const points = fitIsotonic(pairs);
    return { method: "isotonic", points, fittedOn: fittedOn(form), questions: pairs.length };
  };
  const fitted = { question: fit("question"), claim: fit("claim") };
  const byPolicy = labelled.flatMap((l) => {
    const p = confidenceFor(policy, l.text, l.score);
    return p === null ? [] : [{ p, correct: l.correct }];
  });
  return {
    pairs: labelled.length,
    fitted,
    raw: reliability(labelled.map((l) => ({ p: l.score, correct: l.correct }))),
    policy: byPolicy.length ? reliability(byPolicy) : null,
    fitted_in_sample: reliability(
      labelled.map((l) => ({
        p: calibratedConfidence(fitted[l.form]!, l.score),
        correct: l.correct,
      })),
    ),
  };
}
