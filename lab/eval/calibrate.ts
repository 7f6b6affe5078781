import { readFile, writeFile } from "node:fs/promises";
import { format, resolveConfig } from "prettier";
import { loadConfig } from "../../src/config.ts";
import {
  assertCalibratable,
  calibratedPolicy,
  choosePoint,
  formCalibrated,
  outcomesOfForm,
  shellQuote,
  sweepOfForm,
} from "./calibration.ts";
import { evaluateFromArgs, fail } from "./evaluate.ts";

/**
 * `npm run calibrate`: run the evaluation, then write one half of the policy file (`--policy`,
 * default VERITY_POLICY) and where it came from: for questions the threshold and
 * `confidence.question`, for SciFact's claims `claimThreshold` and `confidence.claim`. The
 * threshold is the most accurate one (subject to `--min-precision`), or the lowest reaching
 * `--target-precision`, over the run's items of that form; the confidence map is the isotonic
 * fit of the same items. Everything else in the file is kept as it is.
 *
 * With `--from-reviews` it runs no evaluation and writes nothing: it reports how the reviewers'
 * verdicts in the configured store would move the thresholds (from-reviews.ts).
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes("--from-reviews")) {
    const { calibrateFromReviewsCli } = await import("./from-reviews.ts");
    const rest = args.filter((a) => a !== "--from-reviews");
    return calibrateFromReviewsCli(rest, process.env);
  }
  // Fail before the evaluation, not after it, when the policy cannot be calibrated.
  const policyPath = loadConfig({ VERITY_POLICY: policyArgument(args) }).VERITY_POLICY;
  assertCalibratable(JSON.parse(await readFile(policyPath, "utf8")) as Record<string, unknown>);
  const { report, options, run } = await evaluateFromArgs(args);
  const form = formCalibrated(options.dataset);
  const items = run.runs.map((r) => ({ outcome: r.outcome, text: r.question.question }));
  const { chosen, rule } = choosePoint(sweepOfForm(items, form), options);
  const confidence = report.calibration.fitted[form];
  if (!confidence) throw new Error(`no ${form} of the run has a score to fit; policy unchanged`);
  const command = `npm run calibrate -- ${args.map(shellQuote).join(" ")}`;
  const raw = JSON.parse(await readFile(report.policy, "utf8")) as Record<string, unknown>;
  const questions = outcomesOfForm(items, form).length;
  const fit = {
    form,
    run: { dataset: report.dataset, data: report.data, questions },
    chosen,
    rule,
    confidence,
  };
  const next = JSON.stringify(calibratedPolicy(raw, fit, command), null, 2);
  // In the repository's format, so the confidence maps' points stay one pair a line.
  const style = await resolveConfig(report.policy);
  await writeFile(report.policy, await format(next, { ...style, filepath: report.policy }));
  const before = form === "claim" ? (report.claim_threshold ?? report.threshold) : report.threshold;
  console.log(
    `calibrated ${report.policy} on ${questions} ${form}s: threshold ${before} -> ${chosen.threshold} ` +
      `(accuracy ${chosen.accuracy.toFixed(3)}, answered precision ` +
      `${chosen.answered_precision.toFixed(3)}, coverage ${chosen.coverage.toFixed(3)}; ${rule}); ` +
      `confidence.${form}: ${confidence.points.length} points`,
  );
}

/** The policy file calibrate would rewrite: --policy, else VERITY_POLICY, else the default. */
function policyArgument(args: string[]): string | undefined {
  const at = args.indexOf("--policy");
  return at >= 0 ? args[at + 1] : process.env.VERITY_POLICY;
}

main().catch(fail);
