import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { FEATURE_NAMES } from "../../src/scoring/features.ts";
import type { Classifier, VerifierModel } from "../../src/scoring/verifier.ts";
import { sha256 } from "../../src/hash.ts";
import { relativeToRoot, resolveDataset } from "../shared/datasets.ts";
import {
  pickMostAccurate,
  pickMostAccurateAtPrecision,
  type OperatingPoint,
} from "../shared/sweep.ts";
import { fitBoostedTrees } from "./boosting.ts";
import { collectExamples, type Example } from "./collect.ts";
import {
  heldOutDecisions,
  pointAt,
  sweepDecisions,
  trainingRows,
  type Decision,
  type Fitter,
} from "./cross-validate.ts";
import { fitLogistic } from "./logistic.ts";

const FOLDS = 5;
const TARGETS = [0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95];

const FITTERS: Record<string, Fitter> = {
  "boosted-trees": (rows, labels) => ({
    kind: "boosted-trees",
    ...fitBoostedTrees(rows, labels, { trees: 150, depth: 3, learningRate: 0.1 }),
  }),
  "logistic-regression": (rows, labels) => ({
    kind: "logistic-regression",
    ...fitLogistic(rows, labels),
  }),
};

/**
 * `npm run train-verifier`: collect evidence for every public SQuAD 2.0 question and SciFact claim
 * through the real answering path (on the `npm run eval` stores), fit the verifier with
 * group-level cross-validation (SQuAD articles, SciFact abstract groups never straddle folds),
 * report the held-out figures per dataset, and write the model artefact fitted on everything.
 */
async function main() {
  const { values } = parseArgs({
    options: {
      squad: { type: "string", default: resolveDataset("squad2") },
      "scifact-claims": { type: "string", default: resolveDataset("scifactClaims") },
      "scifact-corpus": { type: "string", default: resolveDataset("scifactCorpus") },
      kind: { type: "string", default: "boosted-trees" },
      depth: { type: "string", default: "8" },
      compare: { type: "boolean", default: false },
      datasets: { type: "string", default: "squad2,scifact" },
      out: { type: "string", default: "policy/verifier-model.json" },
    },
  });
  const depth = Number(values.depth);
  const log = (line: string) => console.error(line);
  const wanted = new Set(values.datasets!.split(","));
  const examples: Example[] = [
    ...(!wanted.has("squad2")
      ? []
      : await collectExamples(
          {
            dataset: "squad2",
            data: values.squad!,
            store: ".verity-eval/squad2",
          },
          depth,
          log,
        )),
    ...(!wanted.has("scifact")
      ? []
      : await collectExamples(
          {
            dataset: "scifact",
            data: values["scifact-claims"]!,
            corpus: values["scifact-corpus"]!,
            store: ".verity-eval/scifact",
          },
          depth,
          log,
        )),
  ];
  const kinds = values.compare ? Object.keys(FITTERS) : [values.kind!];
  let chosen: { kind: string; points: ReturnType<typeof operatingPoints> } | undefined;
  for (const kind of kinds) {
    const fit = FITTERS[kind];
    if (!fit) throw new Error(`--kind must be one of ${Object.keys(FITTERS).join(", ")}`);
    const started = performance.now();
    const decisions = heldOutDecisions(examples, fit, FOLDS, depth);
    console.log(
      `\n${kind}: ${FOLDS}-fold group CV in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const points = operatingPoints(decisions);
    report(decisions, points);
    if (kind === values.kind) chosen = { kind, points };
  }
  if (!chosen) return;
  const { rows, labels } = trainingRows(examples, depth);
  const classifier: Classifier = FITTERS[chosen.kind]!(rows, labels);
  const model: VerifierModel = {
    version: `${chosen.kind === "boosted-trees" ? "gbt" : "lr"}-${sha256(JSON.stringify(classifier)).slice(0, 10)}`,
    features: [...FEATURE_NAMES],
    classifier,
    rerankDepth: depth,
    operatingPoints: chosen.points.map((p) => ({
      targetPrecision: p.targetPrecision,
      threshold: p.threshold,
    })),
    trainedOn: [values.squad!, values["scifact-claims"]!].map(relativeToRoot),
    crossValidation: {
      folds: FOLDS,
      grouping: "squad2 article, scifact abstract group",
      points: chosen.points,
    },
    createdAt: new Date().toISOString(),
  };
  await writeFile(values.out!, `${JSON.stringify(model)}\n`);
  console.log(`wrote ${values.out} (${model.version})`);
}

/** For each target: the SQuAD threshold reaching it, and what it gives on each dataset. */
function operatingPoints(decisions: Decision[]) {
  const squad = sweepDecisions(decisions.filter((d) => d.dataset === "squad2"));
  const scifact = decisions.filter((d) => d.dataset === "scifact");
  return TARGETS.map((target) => {
    // No threshold reaches the target: the highest, the closest to refusing everything.
    const at = pickMostAccurateAtPrecision(squad, target) ?? squad[squad.length - 1]!;
    return {
      targetPrecision: target,
      threshold: at.threshold,
      squad2: at,
      scifact: pointAt(scifact, at.threshold),
    };
  });
}

const fmt = (p: OperatingPoint) =>
  `t ${p.threshold.toFixed(3)} acc ${p.accuracy.toFixed(3)} prec ${p.answered_precision.toFixed(3)} cov ${p.coverage.toFixed(3)}`;

function report(decisions: Decision[], points: ReturnType<typeof operatingPoints>) {
  for (const dataset of ["squad2", "scifact"]) {
    const mine = decisions.filter((d) => d.dataset === dataset);
    console.log(`  ${dataset} best accuracy: ${fmt(pickMostAccurate(sweepDecisions(mine)))}`);
  }
  for (const p of points)
    console.log(
      `  target ${p.targetPrecision}: squad2 ${fmt(p.squad2)} | scifact ${fmt(p.scifact)}`,
    );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
