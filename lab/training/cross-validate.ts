import { computeFeatures } from "../../src/scoring/features.ts";
import { predictProbability, type Classifier } from "../../src/scoring/verifier.ts";
import { sha256 } from "../../src/hash.ts";
import { rateTally, sweepThresholds, type OperatingPoint } from "../shared/sweep.ts";
import { featureInput, type Example } from "./collect.ts";

/** The verifier's operating points state their probability thresholds to three decimals. */
const PROBABILITY_STEPS = 1000;

/** What the verifier decided for one held-out question: its best probability and whether that sentence is gold. */
export type Decision = { dataset: string; best: number; correct: boolean; answerable: boolean };
export type Fitter = (rows: number[][], labels: number[]) => Classifier;

/** Feature rows and gold labels of every example's first `depth` candidates. */
export function trainingRows(examples: Example[], depth: number) {
  const rows: number[][] = [];
  const labels: number[] = [];
  for (const e of examples)
    for (const c of e.candidates.slice(0, depth)) {
      rows.push(computeFeatures(featureInput(e, c)));
      labels.push(c.gold ? 1 : 0);
    }
  return { rows, labels };
}

/** The fold a group belongs to: a hash, so adding data never reshuffles existing groups. */
export const foldOf = (group: string, folds: number) =>
  parseInt(sha256(group).slice(0, 8), 16) % folds;

/** Decide each question with the verifier as answering would: the best of its candidates. */
export function decide(classifier: Classifier, e: Example, depth: number): Decision {
  let best = -1;
  let correct = false;
  for (const c of e.candidates.slice(0, depth)) {
    const p = predictProbability(classifier, computeFeatures(featureInput(e, c)));
    if (p > best) [best, correct] = [p, c.gold];
  }
  return { dataset: e.dataset, best, correct, answerable: e.answerable };
}

/** Group k-fold: every decision comes from a model that never saw the question's group. */
export function heldOutDecisions(
  examples: Example[],
  fit: Fitter,
  folds: number,
  depth: number,
): Decision[] {
  const decisions: Decision[] = [];
  for (let fold = 0; fold < folds; fold++) {
    const inFold = (e: Example) => foldOf(`${e.dataset}:${e.group}`, folds) === fold;
    const { rows, labels } = trainingRows(
      examples.filter((e) => !inFold(e)),
      depth,
    );
    const classifier = fit(rows, labels);
    for (const e of examples.filter(inFold)) decisions.push(decide(classifier, e, depth));
  }
  return decisions;
}

/**
 * Answering when the best probability is at least `threshold`. Answered precision is 1 when
 * nothing is answered, as the recorded operating points have always stated it (see
 * NothingAnsweredPrecision).
 */
export function pointAt(decisions: Decision[], threshold: number): OperatingPoint {
  const tally = { questions: decisions.length, correct: 0, answered: 0, answeredCorrect: 0 };
  for (const d of decisions) {
    const answers = d.best >= threshold;
    if (answers) {
      tally.answered += 1;
      if (d.correct) tally.answeredCorrect += 1;
    }
    if (answers ? d.correct : !d.answerable) tally.correct += 1;
  }
  return rateTally(threshold, tally, 1);
}

/** The held-out decisions replayed at thresholds 0.000..1.000. */
export function sweepDecisions(decisions: Decision[]): OperatingPoint[] {
  return sweepThresholds(PROBABILITY_STEPS, (threshold) => pointAt(decisions, threshold));
}
