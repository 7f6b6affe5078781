import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  FEATURE_NAMES,
  computeFeatures,
  newEntities,
  orderAgreement,
} from "../../src/scoring/features.ts";
import { loadPolicy } from "../../src/answer/policy.ts";
import {
  predictAnswerable,
  predictProbability,
  thresholdForPrecision,
  type VerifierModel,
} from "../../src/scoring/verifier.ts";
import type { QueryTerms } from "../../src/retrieval/lexical.ts";
import { queryTerm } from "../support/query-terms.ts";
import { fitBoostedTrees } from "../../lab/training/boosting.ts";
import { fitLogistic } from "../../lab/training/logistic.ts";

const term = queryTerm;
const query: QueryTerms = {
  terms: [term("premium", 3, true), term("plan", 1), term("cost", 2)],
  chunkCount: 10,
  avgLength: 20,
};
const signals = {
  sentenceCoverage: 0.5,
  chunkCoverage: 0.8,
  denseSimilarity: 0.4,
  entityCoverage: 0,
  answerTypeMatch: true,
  nearMiss: null,
};

function model(overrides: Partial<VerifierModel> = {}): VerifierModel {
  const d = FEATURE_NAMES.length;
  return {
    version: "lr-test",
    features: [...FEATURE_NAMES],
    classifier: {
      kind: "logistic-regression",
      mean: new Array(d).fill(0),
      std: new Array(d).fill(1),
      weights: new Array(d).fill(0),
      bias: 0,
    },
    rerankDepth: 8,
    operatingPoints: [
      { targetPrecision: 0.8, threshold: 0.6 },
      { targetPrecision: 0.9, threshold: 0.75 },
    ],
    trainedOn: ["test"],
    crossValidation: {},
    createdAt: "2026-11-23T00:00:00Z",
    ...overrides,
  };
}

const evidence = {
  question: "How much does the Premium plan cost?",
  query,
  sentence: "The Basic plan costs $8 per month.",
  sentenceLexemes: new Set(["basic", "plan", "cost", "8", "month"]),
  sentencePositions: new Map([
    ["basic", [2]],
    ["plan", [3]],
    ["cost", [4]],
    ["8", [5]],
    ["month", [7]],
  ]),
  chunkLexemes: new Set(["basic", "plan", "cost", "8", "month", "premium"]),
  signals,
  heuristicScore: 0.4,
  sentenceRank: 0,
  bestOtherScore: 0.3,
  chunkRank: 1,
  lexicalRank: 0,
  lexicalScoreShare: 0.5,
  denseMargin: 0.1,
};

describe("evidence features", () => {
  const base = evidence;
  const named = (x: number[]) => Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, x[i]]));

  it("names the missing rare term and the uncovered entity", () => {
    const f = named(computeFeatures(base));
    expect(f.max_missing_term_share).toBeCloseTo(3 / 6);
    expect(f.sentence_coverage_unweighted).toBeCloseTo(2 / 3);
    expect(f.entity_missing).toBe(1);
    expect(f.has_entities).toBe(1);
    expect(f.margin_over_next).toBeCloseTo(0.1);
    expect(f.novel_share).toBeCloseTo(3 / 5);
    expect(f.chunk_rank_reciprocal).toBeCloseTo(0.5);
    expect(f.chunk_max_missing_term_share).toBe(0);
    expect(f.absent_term_share).toBe(0);
  });

  it("compares word order with the question's", () => {
    // Question pairs in order: premium-plan (premium absent), plan-cost (adjacent, in order).
    expect(named(computeFeatures(base)).ordered_pair_share).toBe(1);
    const reversed = new Map([
      ["cost", [1]],
      ["plan", [3]],
    ]);
    const f = named(computeFeatures({ ...base, sentencePositions: reversed }));
    expect(f.ordered_pair_share).toBe(0);
    expect(f.reversed_pair_share).toBe(1);
  });

  it("sees a negation on one side only", () => {
    expect(named(computeFeatures(base)).negation_mismatch).toBe(0);
    expect(
      named(computeFeatures({ ...base, sentence: "The Basic plan does not cost $8." }))
        .negation_mismatch,
    ).toBe(1);
  });
});

describe("evidence features against near misses", () => {
  const named = (x: number[]) => Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, x[i]]));
  const at = (...lexemes: string[]) => new Map(lexemes.map((l, i) => [l, [i + 1]]));
  const ask = (question: string, lexemes: string[], sentenceLexemes: string[]) =>
    named(
      computeFeatures({
        ...evidence,
        question,
        query: { ...query, terms: lexemes.map((l) => term(l, 1)) },
        sentenceLexemes: new Set(sentenceLexemes),
        sentencePositions: at(...sentenceLexemes),
      }),
    );

  it("sees an antonym of a question word in the evidence", () => {
    const f = ask("What is the lowest point?", ["lowest", "low", "point"], ["high", "point"]);
    expect(f.antonym_conflict).toBe(1);
    expect(f.polar_term_missing).toBe(1);
    expect(
      ask("What is the high point?", ["high", "point"], ["high", "point"]).antonym_conflict,
    ).toBe(0);
  });

  it("counts a synonym as covering a question word", () => {
    const f = ask("Who bought the automobile?", ["bought", "automobil"], ["car", "bought"]);
    expect(f.sentence_coverage_unweighted).toBeCloseTo(1 / 2);
    expect(f.synonym_coverage).toBeCloseTo(evidence.signals.sentenceCoverage + 1 / 2);
  });

  it("measures whether the evidence keeps the question's word order", () => {
    expect(
      orderAgreement(["onedr", "becom", "skydriv"], at("skydriv", "becom", "onedr")),
    ).toBeCloseTo(1 / 3);
    expect(orderAgreement(["onedr", "becom", "skydriv"], at("onedr", "becom", "skydriv"))).toBe(1);
    expect(orderAgreement(["a"], new Map())).toBe(0);
  });

  it("tells claims from questions and names the question word", () => {
    const q = named(computeFeatures({ ...evidence, question: "Where is the data stored?" }));
    expect([q.is_claim, q.asks_where, q.asks_what]).toEqual([0, 1, 0]);
    const claim = named(
      computeFeatures({ ...evidence, question: "Aspirin lowers the risk of stroke." }),
    );
    expect([claim.is_claim, claim.asks_where]).toEqual([1, 0]);
  });

  it("counts the names and numbers only the evidence states", () => {
    expect(newEntities("Who founded Acme?", "Acme was founded by Jane Doe in 1999.")).toBe(3);
    expect(newEntities("When was Acme founded?", "Acme was founded long ago.")).toBe(0);
  });
});

describe("verifier", () => {
  it("is a logistic model over standardised features", () => {
    const d = FEATURE_NAMES.length;
    const weights = new Array(d).fill(0);
    weights[0] = 2;
    const classifier = {
      kind: "logistic-regression" as const,
      weights,
      mean: new Array(d).fill(0.5),
      std: new Array(d).fill(0.25),
      bias: -1,
    };
    const x = new Array(d).fill(0);
    x[0] = 1;
    expect(predictProbability(classifier, x)).toBeCloseTo(1 / (1 + Math.exp(-(-1 + 2 * 2))));
  });

  it("sums boosted trees on the log-odds scale", () => {
    // One stump on feature 1: below 0.5 -> -2, else +3.
    const stump = {
      feature: [1, -1, -1],
      threshold: [0.5, 0, 0],
      left: [1, -1, -1],
      right: [2, -1, -1],
      value: [0, -2, 3],
    };
    const classifier = {
      kind: "boosted-trees" as const,
      base: 0.5,
      learningRate: 0.1,
      trees: [stump, stump],
    };
    expect(predictProbability(classifier, [0, 0.2])).toBeCloseTo(1 / (1 + Math.exp(-(0.5 - 0.4))));
    expect(predictProbability(classifier, [0, 0.5])).toBeCloseTo(1 / (1 + Math.exp(-(0.5 + 0.6))));
  });

  it("scores evidence with its features", () => {
    const d = FEATURE_NAMES.length;
    const weights = new Array(d).fill(0);
    weights[FEATURE_NAMES.indexOf("entity_missing")] = -3;
    const m = model({
      classifier: {
        kind: "logistic-regression",
        weights,
        mean: new Array(d).fill(0),
        std: new Array(d).fill(1),
        bias: 1,
      },
    });
    // The Premium question against a Basic-plan sentence: the entity is missing, so odds drop.
    expect(predictAnswerable(m, evidence)).toBeCloseTo(1 / (1 + Math.exp(-(1 - 3))));
  });

  it("picks the operating point for a precision target", () => {
    expect(thresholdForPrecision(model(), 0.9)).toBe(0.75);
    expect(thresholdForPrecision(model(), 0.85)).toBe(0.75);
    expect(thresholdForPrecision(model(), 0.7)).toBe(0.6);
    expect(thresholdForPrecision(model(), 0.99)).toBe(0.75);
  });

  it("fits a separable problem", () => {
    const rows = Array.from({ length: 200 }, (_, i) => [i % 2, (i * 7) % 5]);
    const labels = rows.map((r) => r[0]!);
    const lr = {
      kind: "logistic-regression" as const,
      ...fitLogistic(rows, labels, { iterations: 300 }),
    };
    expect(predictProbability(lr, [1, 2])).toBeGreaterThan(0.9);
    expect(predictProbability(lr, [0, 2])).toBeLessThan(0.1);
    const trees = {
      kind: "boosted-trees" as const,
      ...fitBoostedTrees(rows, labels, { trees: 50 }),
    };
    expect(predictProbability(trees, [1, 2])).toBeGreaterThan(0.9);
    expect(predictProbability(trees, [0, 2])).toBeLessThan(0.1);
  });

  it("boosted trees learn a band a linear model cannot", () => {
    // Positive only in the middle of the range: no single weight on x separates it.
    const rows = Array.from({ length: 500 }, (_, i) => [i / 500, (i * 7) % 5]);
    const labels = rows.map(([x]) => (x! > 0.3 && x! < 0.7 ? 1 : 0));
    const trees = {
      kind: "boosted-trees" as const,
      ...fitBoostedTrees(rows, labels, { trees: 60, depth: 2 }),
    };
    expect(predictProbability(trees, [0.5, 1])).toBeGreaterThan(0.9);
    expect(predictProbability(trees, [0.1, 1])).toBeLessThan(0.1);
    expect(predictProbability(trees, [0.9, 1])).toBeLessThan(0.1);
    const lr = { kind: "logistic-regression" as const, ...fitLogistic(rows, labels) };
    expect(predictProbability(lr, [0.5, 1])).toBeLessThan(0.6);
  });

  it("sets the policy threshold from the verifier's operating point, unless overridden", async () => {
    const dir = await mkdtemp(join(tmpdir(), "verity-policy-"));
    await writeFile(join(dir, "model.json"), JSON.stringify(model()));
    await writeFile(
      join(dir, "policy.json"),
      JSON.stringify({ threshold: 0.5, verifier: "model.json", targetPrecision: 0.9 }),
    );
    const loaded = loadPolicy(join(dir, "policy.json"));
    expect(loaded.verifier?.version).toBe("lr-test");
    expect(loaded.policy.threshold).toBe(0.75);
    expect(loadPolicy(join(dir, "policy.json"), { targetPrecision: 0.8 }).policy.threshold).toBe(
      0.6,
    );
    expect(loadPolicy(join(dir, "policy.json"), { threshold: 0.33 }).policy.threshold).toBe(0.33);
    await writeFile(join(dir, "stale.json"), JSON.stringify({ ...model(), features: ["other"] }));
    await writeFile(
      join(dir, "policy2.json"),
      JSON.stringify({ threshold: 0.5, verifier: "stale.json" }),
    );
    expect(() => loadPolicy(join(dir, "policy2.json"))).toThrow(/other features/);
  });
});
