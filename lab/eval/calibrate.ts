import { readFile, writeFile } from "node:fs/promises";
import { loadConfig } from "../../src/config.ts";
import {
  assertCalibratable,
  calibratedPolicy,
  chooseThreshold,
  shellQuote,
} from "./calibration.ts";
import { evaluateFromArgs, fail } from "./evaluate.ts";

/**
 * `npm run calibrate`: run the evaluation, then write the most accurate threshold (subject to
 * `--min-precision`) and where it came from into the policy file (`--policy`, default
 * VERITY_POLICY). Everything else in the file is kept as it is.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // Fail before the evaluation, not after it, when the policy cannot be calibrated.
  const policyPath = loadConfig({ VERITY_POLICY: policyArgument(args) }).VERITY_POLICY;
  assertCalibratable(JSON.parse(await readFile(policyPath, "utf8")) as Record<string, unknown>);
  const { report, options } = await evaluateFromArgs(args);
  const chosen = chooseThreshold(report.sweep, options.minPrecision);
  const command = `npm run calibrate -- ${args.map(shellQuote).join(" ")}`;
  const raw = JSON.parse(await readFile(report.policy, "utf8")) as Record<string, unknown>;
  const next = calibratedPolicy(raw, report, chosen, command);
  await writeFile(report.policy, JSON.stringify(next, null, 2) + "\n");
  const floor = options.minPrecision > 0 ? `, precision floor ${options.minPrecision}` : "";
  console.log(
    `calibrated ${report.policy}: threshold ${report.threshold} -> ${chosen.threshold} ` +
      `(accuracy ${chosen.accuracy.toFixed(3)}, answered precision ` +
      `${chosen.answered_precision.toFixed(3)}, coverage ${chosen.coverage.toFixed(3)}${floor})`,
  );
}

/** The policy file calibrate would rewrite: --policy, else VERITY_POLICY, else the default. */
function policyArgument(args: string[]): string | undefined {
  const at = args.indexOf("--policy");
  return at >= 0 ? args[at + 1] : process.env.VERITY_POLICY;
}

main().catch(fail);
