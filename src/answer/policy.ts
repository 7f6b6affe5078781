import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { sha256 } from "../hash.ts";
import { canonicalJson } from "../ledger/canonical-json.ts";
import { calibratedConfidence, ConfidenceMap } from "../scoring/confidence.ts";
import { isQuestion } from "../scoring/question-form.ts";
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
  /** How the threshold was picked from the sweep, e.g. the lowest reaching a target precision. */
  rule: z.string().optional(),
});

/** How far a source is trusted (its manifest's `trust`); answers report it with every citation. */
export const TrustTier = z.enum(["authoritative", "reviewed", "community"]);
export type TrustTier = z.infer<typeof TrustTier>;

/** The refusal policy: when evidence is good enough to answer with, and how long answers get. */
export const Policy = z.object({
  /**
   * The file's revision, as its authors number or name it (`1`, `"2026-12-a"`); null when the
   * file does not say. Informative only: the policy's identity is its hash (hashPolicy).
   */
  version: z
    .union([z.string().min(1).max(100), z.number().int().min(0)])
    .nullable()
    .default(null),
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
   * The support score claims ("Aspirin lowers ...", see isQuestion) are held to, or null to hold
   * them to `threshold`. Ignored (null) with a verifier or an explicit threshold override.
   */
  claimThreshold: z.number().min(0).max(1).nullable().default(null),
  /** Where `claimThreshold` came from. */
  claimCalibration: Calibration.nullable().default(null),
  /** Score -> probability of a correct answer, one map per form of input; null: not calibrated. */
  confidence: z
    .object({
      question: ConfidenceMap.nullable().default(null),
      claim: ConfidenceMap.nullable().default(null),
    })
    .default({ question: null, claim: null }),
  /**
   * The fitted answerability verifier (a path relative to this policy file), or null to score
   * with the hand-weighted heuristic and `threshold`. With a verifier, the one knob is
   * `targetPrecision`: the refusal threshold is the verifier's cross-validated operating point.
   */
  verifier: z.string().nullable().default(null),
  targetPrecision: z.number().min(0.5).max(1).default(0.9),
  /**
   * Never cite a chunk flagged at ingest as suspected prompt injection (it reads like
   * instructions to a model). Off by default: the text is still quoted, never obeyed, and its
   * citations say `suspectedInjection: true`.
   */
  excludeSuspectedInjection: z.boolean().default(false),
  /**
   * The trust tiers whose sources may be cited. A chunk of another tier is left out at retrieval,
   * before scoring, so it is never cited and never takes a citable chunk's place; a question only
   * such a source answers is refused. Default: every tier.
   */
  citableTrust: z
    .array(TrustTier)
    .min(1)
    .refine((tiers) => new Set(tiers).size === tiers.length, "lists a tier twice")
    .default(["authoritative", "reviewed", "community"]),
  /**
   * How close to its threshold an answer (or a LOW_SUPPORT refusal's best score) must be to wait
   * for a person's review (src/review/queue.ts). 0.05 reaches down from the question threshold
   * 0.75 to 0.70, where the most accurate thresholds (SQuAD 0.71, SciFact 0.70) would answer: the
   * band in which the two operating points disagree (calibrated confidence 0.39-0.48 there).
   */
  reviewMargin: z.number().min(0).max(0.5).default(0.05),
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
  // A claim threshold is calibrated on the heuristic's scores and is one more policy threshold:
  // a verifier's operating point or an explicit threshold override holds every input to one.
  const claimThreshold =
    verifier || overrides.threshold !== undefined ? null : policy.claimThreshold;
  return { policy: { ...policy, threshold, claimThreshold }, verifier };
}

/**
 * The policy's identity: SHA-256 (hex) of its canonical JSON (RFC 8785) as in force, overrides
 * applied. Every answer records it, so a reviewer knows which rules an answer was held to.
 */
export function hashPolicy(policy: Policy): string {
  let hash = policyHashes.get(policy);
  if (!hash) {
    hash = sha256(canonicalJson(policy));
    policyHashes.set(policy, hash);
  }
  return hash;
}

/** A policy is never mutated once loaded: its hash is computed once, not per answer. */
const policyHashes = new WeakMap<Policy, string>();

/** The support score `question` must reach to be answered: claims have their own, if calibrated. */
export function thresholdFor(policy: Policy, question: string): number {
  return policy.claimThreshold !== null && !isQuestion(question)
    ? policy.claimThreshold
    : policy.threshold;
}

/**
 * The calibrated probability that an answer to `question` at `score` is correct, from the map for
 * its form (question or claim); null when the policy has no map for that form.
 */
export function confidenceFor(policy: Policy, question: string, score: number): number | null {
  const map = isQuestion(question) ? policy.confidence.question : policy.confidence.claim;
  return map ? calibratedConfidence(map, score) : null;
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
