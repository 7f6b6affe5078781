import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parseEvalArgs, UsageError, type EvalOptions } from "./options.ts";
import { buildReport, detailLines, formatReport, policyThreshold, type Report } from "./report.ts";
import type { EvalRun } from "./run.ts";
import { renderReliabilitySvg } from "./reliability-svg.ts";
import { renderSweepSvg } from "./svg.ts";

/** `report.json` -> `report.svg`; any other name gets `.svg` appended. */
export function svgPathFor(out: string): string {
  return out.replace(/\.json$/i, "") + ".svg";
}

/** `report.json` -> `report.reliability.svg`; any other name gets `.reliability.svg` appended. */
export function reliabilitySvgPathFor(out: string): string {
  return out.replace(/\.json$/i, "") + ".reliability.svg";
}

/**
 * The reliability diagram of a report: the raw score, and the policy's confidence maps, or, for a
 * policy without them, the maps fitted on this very run (in-sample, so optimistic).
 */
export function reliabilityPlot(report: Report): string {
  const c = report.calibration;
  return renderReliabilitySvg({
    title: `${report.dataset}: ${c.pairs} scored of ${report.questions} (${report.data})`,
    raw: c.raw,
    calibrated: c.policy
      ? { label: "policy map", reliability: c.policy }
      : { label: "fitted on this run, in-sample", reliability: c.fitted_in_sample },
  });
}

/**
 * Write what was asked for: the JSON report, its sweep plot and reliability diagram next to it,
 * the per-question lines.
 */
export async function writeOutputs(
  report: Report,
  run: EvalRun,
  options: EvalOptions,
): Promise<void> {
  if (options.out) {
    await mkdir(dirname(options.out), { recursive: true });
    await writeFile(options.out, JSON.stringify(report, null, 2) + "\n");
    const svg = renderSweepSvg({
      title: `${report.dataset}: ${report.questions} questions (${report.data})`,
      sweep: report.sweep,
      policy: { ...report, threshold: policyThreshold(report) },
      best: report.best,
      alwaysRefuse: report.always_refuse_accuracy,
    });
    await writeFile(svgPathFor(options.out), svg);
    await writeFile(reliabilitySvgPathFor(options.out), reliabilityPlot(report));
  }
  if (options.details) {
    await mkdir(dirname(options.details), { recursive: true });
    await writeFile(options.details, detailLines(run).join("\n") + "\n");
  }
}

/** Run one evaluation from command-line arguments, print the table and write the outputs. */
export async function evaluateFromArgs(
  args: string[],
): Promise<{ report: Report; options: EvalOptions; run: EvalRun }> {
  const options = parseEvalArgs(args);
  const log = (line: string) => console.error(line);
  // Loaded only once the arguments are good: it pulls in the database, the model and the index.
  const { runEvaluation } = await import("./run.ts");
  const run = await runEvaluation(options, process.env, log);
  const report = buildReport(run);
  console.log(formatReport(report));
  await writeOutputs(report, run, options);
  return { report, options, run };
}

/** Exit code 2 for a usage error, 1 for anything else. */
export function fail(error: unknown): never {
  console.error(error instanceof Error ? error.message : error);
  process.exit(error instanceof UsageError ? 2 : 1);
}
