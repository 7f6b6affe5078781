import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { loadVerifier, thresholdForPrecision, type VerifierModel } from "../scoring/verifier.ts";

/** Where the default threshold came from, so a reviewer can reproduce it. */
export const Calibration = z.object({
  dataset: z.string(),
  data: z.string(),
  questions: z.number().int(),
  accuracy: z.number(),
  answeredPrecision: z.number(),
  calibratedAt: z.string(),
  command: z.string(),
});

/** The refusal policy: when evidence is good enough to answer with, and how long answers get. */
export const Policy = z.object({
  /** Minimum support score (0..1) a cited sentence needs; below it Verity refuses. */
  threshold: z.number().min(0).max(1),
  /** Most sentences in one answer. */
  maxSentences: z.number().int().min(1).max(10).default(3),
  /** A further sentence joins the answer only if its score is within this of the best one. */
  companionMargin: z.number().min(0).max(1).default(0.1),
  /** Chunks handed from retrieval to sentence scoring. */
  candidateChunks: z.number().int().min(1).max(100).default(8),
  calibration: Calibration.nullable().default(null),
  /**
   * The fitted answerability verifier (a path relative to this policy file), or null to score
   * with the hand-weighted heuristic and `threshold`. With a verifier, the one knob is
   * `targetPrecision`: the refusal threshold is the verifier's cross-validated operating point.
   */
  verifier: z.string().nullable().default(null),
  targetPrecision: z.number().min(0.5).max(1).default(0.9),
});
export type Policy = z.infer<typeof Policy>;

/**
 * The policy in force: the file, the verifier it names, and the overrides from the environment.
 * The returned `threshold` is the one answers are held to.
 */
export function loadPolicy(
  path: string,
  overrides: { threshold?: number; targetPrecision?: number } = {},
): { policy: Policy; verifier: VerifierModel | null } {
  const policy = readPolicyFile(path, { targetPrecision: overrides.targetPrecision });
  const verifier = policy.verifier ? loadVerifier(resolve(dirname(path), policy.verifier)) : null;
  if (policy.verifier && !verifier)
    throw new Error(`Verifier ${policy.verifier} named by ${path} does not exist`);
  const threshold =
    overrides.threshold ??
    (verifier ? thresholdForPrecision(verifier, policy.targetPrecision) : policy.threshold);
  return { policy: { ...policy, threshold }, verifier };
}

function readPolicyFile(
  path: string,
  overrides: { threshold?: number; targetPrecision?: number },
): Policy {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`Cannot read policy ${path}: ${(error as Error).message}`);
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const parsed = Policy.safeParse({ ...(raw as object), ...defined });
  if (!parsed.success) {
    throw new Error(`Invalid policy ${path}:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
