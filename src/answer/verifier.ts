import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { FEATURE_NAMES } from "./features.ts";

/**
 * A fitted answerability verifier: logistic regression over standardised evidence features,
 * predicting "this sentence answers this question". Produced by `npm run train-verifier`.
 */
export const VerifierModel = z.object({
  version: z.string(),
  kind: z.literal("logistic-regression"),
  features: z.array(z.string()),
  mean: z.array(z.number()),
  std: z.array(z.number()),
  weights: z.array(z.number()),
  bias: z.number(),
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
  return model;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Probability that the evidence answers the question. */
export function predictAnswerable(
  model: Pick<VerifierModel, "mean" | "std" | "weights" | "bias">,
  x: number[],
): number {
  let z = model.bias;
  for (let i = 0; i < x.length; i++)
    z += model.weights[i]! * ((x[i]! - model.mean[i]!) / (model.std[i]! || 1));
  return sigmoid(z);
}

/** The probability threshold for a target answered precision (the closest point at or above it). */
export function thresholdForPrecision(model: VerifierModel, target: number): number {
  const points = [...model.operatingPoints].sort((a, b) => a.targetPrecision - b.targetPrecision);
  const point = points.find((p) => p.targetPrecision >= target) ?? points[points.length - 1];
  if (!point) throw new Error("Verifier has no operating points");
  return point.threshold;
}
