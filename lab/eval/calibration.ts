import { Policy } from "../../src/answer/policy.ts";
import { round } from "../shared/stats.ts";
import { pickMostAccurateAtPrecision, type OperatingPoint } from "../shared/sweep.ts";

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
 * The policy file's content with `threshold` and its provenance replaced; everything else is kept
 * as it is. Throws when the result is not a valid policy.
 */
export function calibratedPolicy(
  raw: Record<string, unknown>,
  run: { dataset: string; data: string; questions: number },
  chosen: OperatingPoint,
  command: string,
  now = new Date(),
): Record<string, unknown> {
  assertCalibratable(raw);
  const next = {
    ...raw,
    threshold: chosen.threshold,
    calibration: {
      dataset: run.dataset,
      data: run.data,
      questions: run.questions,
      accuracy: round(chosen.accuracy, 4),
      answeredPrecision: round(chosen.answered_precision, 4),
      calibratedAt: now.toISOString(),
      command,
    },
  };
  Policy.parse(next);
  return next;
}
