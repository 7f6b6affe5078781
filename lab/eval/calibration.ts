import { Policy } from "../../src/answer/policy.ts";
import type { SweepPoint } from "./report.ts";

const round4 = (x: number) => Math.round(x * 10000) / 10000;

/** The most accurate threshold that answers something at or above the precision floor. */
export function chooseThreshold(sweep: SweepPoint[], minPrecision: number): SweepPoint {
  const eligible = sweep.filter((p) => p.coverage > 0 && p.answered_precision >= minPrecision);
  if (eligible.length === 0) {
    throw new Error(`no threshold reaches answered precision ${minPrecision}; policy unchanged`);
  }
  return eligible.reduce((best, p) => (p.accuracy > best.accuracy ? p : best));
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
  chosen: SweepPoint,
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
      accuracy: round4(chosen.accuracy),
      answeredPrecision: round4(chosen.answered_precision),
      calibratedAt: now.toISOString(),
      command,
    },
  };
  Policy.parse(next);
  return next;
}
