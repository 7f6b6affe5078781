import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { wordNet } from "../text/wordnet.ts";
import { computeFeatures, FEATURE_NAMES, type FeatureInput } from "./features.ts";

/** One regression tree as flat arrays; node 0 is the root, a leaf has feature -1. */
export const Tree = z.object({
  feature: z.array(z.number().int()),
  /** Goes left when the feature's value is below the threshold. */
  threshold: z.array(z.number()),
  left: z.array(z.number().int()),
  right: z.array(z.number().int()),
  value: z.array(z.number()),
});
export type Tree = z.infer<typeof Tree>;

const Logistic = z.object({
  kind: z.literal("logistic-regression"),
  mean: z.array(z.number()),
  std: z.array(z.number()),
  weights: z.array(z.number()),
  bias: z.number(),
});
export type Logistic = z.infer<typeof Logistic>;

const BoostedTrees = z.object({
  kind: z.literal("boosted-trees"),
  base: z.number(),
  learningRate: z.number(),
  trees: z.array(Tree),
});
export type BoostedTrees = z.infer<typeof BoostedTrees>;

/** A fitted classifier: the part of a verifier that turns features into a probability. */
export const Classifier = z.discriminatedUnion("kind", [Logistic, BoostedTrees]);
export type Classifier = z.infer<typeof Classifier>;

/**
 * A fitted answerability verifier predicting "this sentence answers this question (or supports
 * this claim)" from evidence features. Produced by `npm run train-verifier`.
 */
export const VerifierModel = z.object({
  version: z.string(),
  features: z.array(z.string()),
  classifier: Classifier,
  /** How many of the heuristic's best sentences the verifier re-ranks (as in training). */
  rerankDepth: z.number().int().min(1),
  /** Probability thresholds reaching each answered-precision target in cross-validation. */
  operatingPoints: z.array(z.object({ targetPrecision: z.number(), threshold: z.number() })),
  trainedOn: z.array(z.string()),
  crossValidation: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
export type VerifierModel = z.infer<typeof VerifierModel>;

export function loadVerifier(path: string): VerifierModel | null {
  if (!existsSync(path)) return null;
  const model = VerifierModel.parse(JSON.parse(readFileSync(path, "utf8")));
  const expected = FEATURE_NAMES.join(",");
  if (model.features.join(",") !== expected) {
    throw new Error(
      `Verifier ${path} was trained on other features; rerun npm run train-verifier.`,
    );
  }
  // The features read WordNet: load it with the model, not on the first question asked.
  wordNet();
  return model;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function treeValue(tree: Tree, x: number[]): number {
  let node = 0;
  while (tree.feature[node]! >= 0) {
    node = x[tree.feature[node]!]! < tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
  }
  return tree.value[node]!;
}

/** Probability of the positive class for a feature vector. */
export function predictProbability(classifier: Classifier, x: number[]): number {
  if (classifier.kind === "boosted-trees") {
    let z = classifier.base;
    for (const tree of classifier.trees) z += classifier.learningRate * treeValue(tree, x);
    return sigmoid(z);
  }
  let z = classifier.bias;
  for (let i = 0; i < x.length; i++)
    z += classifier.weights[i]! * ((x[i]! - classifier.mean[i]!) / (classifier.std[i]! || 1));
  return sigmoid(z);
}

/** Probability that the evidence answers the question. */
export function predictAnswerable(model: VerifierModel, input: FeatureInput): number {
  return predictProbability(model.classifier, computeFeatures(input));
}

/** The probability threshold for a target answered precision (the closest point at or above it). */
export function thresholdForPrecision(model: VerifierModel, target: number): number {
  const points = [...model.operatingPoints].sort((a, b) => a.targetPrecision - b.targetPrecision);
  const point = points.find((p) => p.targetPrecision >= target) ?? points[points.length - 1];
  if (!point) throw new Error("Verifier has no operating points");
  return point.threshold;
}
