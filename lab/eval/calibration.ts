import { Policy } from "../../src/answer/policy.ts";
import type { ConfidenceMap } from "../../src/scoring/confidence.ts";
import type { Dataset } from "../corpora/types.ts";
import { round } from "../shared/stats.ts";
import {
  pickLowestAtPrecision,
  pickMostAccurateAtPrecision,
  type OperatingPoint,
} from "../shared/sweep.ts";
import { sweepOutcomes, type Outcome } from "./metrics.ts";
import { formOf, type Form, type FormItem } from "./reliability.ts";

/**
 * The threshold to write: the most accurate that answers something at or above the precision
 * floor. Unlike the report's "best", there is no fallback: a policy that refuses everything is
 * not a calibration.
 */
export function chooseThreshold(sweep: OperatingPoint[], minPrecision: number): OperatingPoint {
  const chosen = pickMostAccurateAtPrecision(sweep, minPrecision);
  if (!chosen) {
    throw new Error(`no threshold reaches answered precision ${minPrecision}; policy unchanged`);
  }
  return chosen;
}

/**
 * The threshold to write for a target precision: the lowest that answers at or above it, however
 * accurate, so the policy answers as much as the target allows.
 */
export function chooseLowestThreshold(
  sweep: OperatingPoint[],
  targetPrecision: number,
): OperatingPoint {
  const chosen = pickLowestAtPrecision(sweep, targetPrecision);
  if (!chosen) {
    throw new Error(`no threshold reaches answered precision ${targetPrecision}; policy unchanged`);
  }
  return chosen;
}

/** The threshold calibrate's options ask for, and the rule that chose it, for the record. */
export function choosePoint(
  sweep: OperatingPoint[],
  options: { minPrecision: number; targetPrecision: number | undefined },
): { chosen: OperatingPoint; rule: string } {
  const { minPrecision, targetPrecision } = options;
  return targetPrecision === undefined
    ? {
        chosen: chooseThreshold(sweep, minPrecision),
        rule: `the most accurate threshold with answered precision >= ${minPrecision}`,
      }
    : {
        chosen: chooseLowestThreshold(sweep, targetPrecision),
        rule: `the lowest threshold with answered precision >= ${targetPrecision} (--target-precision)`,
      };
}

/** Which half of the policy a dataset calibrates: SciFact's claims, or everyone else's questions. */
export const formCalibrated = (dataset: Dataset): Form =>
  dataset === "scifact" ? "claim" : "question";

/** The run's items of one form: the ones that form's threshold is chosen on. */
export function outcomesOfForm(items: FormItem[], form: Form): Outcome[] {
  return items.filter((i) => formOf(i.text) === form).map((i) => i.outcome);
}

/** The sweep a form's threshold is chosen from, over the run's items of that form. */
export const sweepOfForm = (items: FormItem[], form: Form) =>
  sweepOutcomes(outcomesOfForm(items, form));

/** One half of the policy, fitted on one run: a threshold, how it was chosen, and the map. */
export type PolicyFit = {
  form: Form;
  run: { dataset: string; data: string; questions: number };
  chosen: OperatingPoint;
  rule: string;
  confidence: ConfidenceMap;
};

/**
 * Only a heuristic policy has a threshold to calibrate. A verifier policy's threshold is the
 * verifier's cross-validated operating point for `targetPrecision`: a written `threshold` would
 * be silently ignored.
 */
export function assertCalibratable(raw: Record<string, unknown>): void {
  if (!raw.verifier) return;
  throw new Error(
    `the policy thresholds the verifier ${String(raw.verifier)} at its cross-validated operating point: ` +
      "choose targetPrecision (or VERITY_TARGET_PRECISION), or retrain with npm run train-verifier; policy unchanged",
  );
}

/** Shell-quote an argument for the recorded command, only when it needs it. */
export const shellQuote = (arg: string) =>
  /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;

/**
 * The policy file's content with one half replaced: for questions `threshold`, `calibration` and
 * `confidence.question`; for claims `claimThreshold`, `claimCalibration` and `confidence.claim`.
 * Everything else is kept as it is, so calibrating once per dataset fills both halves. Throws when
 * the result is not a valid policy.
 */
export function calibratedPolicy(
  raw: Record<string, unknown>,
  fit: PolicyFit,
  command: string,
  now = new Date(),
): Record<string, unknown> {
  assertCalibratable(raw);
  const { form, run, chosen } = fit;
  const record = {
    dataset: run.dataset,
    data: run.data,
    questions: run.questions,
    accuracy: round(chosen.accuracy, 4),
    answeredPrecision: round(chosen.answered_precision, 4),
    calibratedAt: now.toISOString(),
    command,
    rule: fit.rule,
  };
  const confidence = {
    question: null,
    claim: null,
    ...(raw.confidence as object | undefined),
    [form]: fit.confidence,
  };
  const next =
    form === "question"
      ? { ...raw, threshold: chosen.threshold, calibration: record, confidence }
      : { ...raw, claimThreshold: chosen.threshold, claimCalibration: record, confidence };
  Policy.parse(next);
  return next;
}
