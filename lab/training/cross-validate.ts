import { computeFeatures } from "../../src/scoring/features.ts";
import { predictProbability, type Classifier } from "../../src/scoring/verifier.ts";
import { sha256 } from "../../src/hash.ts";
import { featureInput, type Example } from "./collect.ts";

/** What the verifier decided for one held-out question: its best probability and whether that sentence is gold. */
export type Decision = { dataset: string; best: number; correct: boolean; answerable: boolean };
export type Point = { threshold: number; accuracy: number; precision: number; coverage: number };
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

/** Accuracy, answered precision and coverage of answering when the best probability is at least t. */
export function pointAt(decisions: Decision[], t: number): Point {
  let correct = 0;
  let answered = 0;
  let answeredCorrect = 0;
  for (const d of decisions) {
    const answers = d.best >= t;
    if (answers) {
      answered += 1;
      if (d.correct) answeredCorrect += 1;
    }
    if (answers ? d.correct : !d.answerable) correct += 1;
  }
  return {
    threshold: t,
    accuracy: correct / decisions.length,
    precision: answered ? answeredCorrect / answered : 1,
    coverage: answered / decisions.length,
  };
}

export const sweep = (decisions: Decision[]) =>
  Array.from({ length: 1001 }, (_, i) => pointAt(decisions, i / 1000));

export const mostAccurate = (points: Point[]) =>
  points.reduce((b, p) => (p.accuracy > b.accuracy ? p : b));

/** The most accurate threshold whose answered precision reaches the target (null if none does). */
export function pointForPrecision(points: Point[], target: number): Point | null {
  const ok = points.filter((p) => p.precision >= target && p.coverage > 0);
  return ok.length ? mostAccurate(ok) : null;
}
