import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  calibratedPolicy,
  chooseLowestThreshold,
  choosePoint,
  chooseThreshold,
  shellQuote,
  sweepOfForm,
  type PolicyFit,
} from "../../lab/eval/calibration.ts";
import type { Outcome } from "../../lab/eval/metrics.ts";
import { parseEvalArgs } from "../../lab/eval/options.ts";
import { Policy } from "../../src/answer/policy.ts";
import type { ConfidenceMap } from "../../src/scoring/confidence.ts";

const point = (
  threshold: number,
  accuracy: number,
  coverage: number,
  answered_precision: number,
) => ({
  threshold,
  accuracy,
  coverage,
  answered_precision,
});
const sweep = [
  point(0.5, 0.6, 0.8, 0.55),
  point(0.6, 0.7, 0.5, 0.8),
  point(0.7, 0.7, 0.3, 0.92),
  point(0.8, 0.65, 0.1, 0.95),
  point(0.9, 0.75, 0, 0),
];

describe("chooseThreshold", () => {
  it("takes the most accurate threshold that answers something, the lowest on ties", () => {
    expect(chooseThreshold(sweep, 0).threshold).toBe(0.6);
  });

  it("respects a precision floor, and refuses to choose when nothing reaches it", () => {
    expect(chooseThreshold(sweep, 0.9).threshold).toBe(0.7);
    expect(chooseThreshold(sweep, 0.94).threshold).toBe(0.8);
    expect(() => chooseThreshold(sweep, 0.99)).toThrow(/no threshold reaches/);
  });
});

describe("chooseLowestThreshold and choosePoint", () => {
  it("takes the lowest threshold reaching a target precision, not the most accurate", () => {
    expect(chooseLowestThreshold(sweep, 0.8).threshold).toBe(0.6);
    expect(chooseLowestThreshold(sweep, 0.9).threshold).toBe(0.7);
    expect(() => chooseLowestThreshold(sweep, 0.99)).toThrow(/no threshold reaches/);
  });

  it("states the rule that chose the threshold, for the policy's record", () => {
    expect(choosePoint(sweep, { minPrecision: 0.9, targetPrecision: undefined })).toEqual({
      chosen: sweep[2],
      rule: "the most accurate threshold with answered precision >= 0.9",
    });
    expect(choosePoint(sweep, { minPrecision: 0, targetPrecision: 0.94 })).toEqual({
      chosen: sweep[3],
      rule: "the lowest threshold with answered precision >= 0.94 (--target-precision)",
    });
  });
});

describe("calibratedPolicy", () => {
  // The shipped policy's settings, without what calibration wrote into it.
  const { claimThreshold, claimCalibration, confidence, ...raw } = JSON.parse(
    readFileSync(new URL("../../policy/default.json", import.meta.url), "utf8"),
  ) as Record<string, unknown>;
  void [claimThreshold, claimCalibration, confidence];
  const map = (fittedOn: string): ConfidenceMap => ({
    method: "isotonic",
    points: [
      [0.3, 0.1],
      [0.8, 0.7],
    ],
    fittedOn,
    questions: 10,
  });
  const fit = (
    form: PolicyFit["form"],
    dataset: string,
    chosen = point(0.6, 0.71234, 0.5, 0.8),
  ) => ({
    form,
    run: { dataset, data: "d.json", questions: 10 },
    chosen,
    rule: "the most accurate threshold with answered precision >= 0",
    confidence: map(dataset),
  });
  const at = new Date("2026-01-02T03:04:05Z");
  const record = (dataset: string) => ({
    dataset,
    data: "d.json",
    questions: 10,
    accuracy: 0.7123,
    answeredPrecision: 0.8,
    calibratedAt: "2026-01-02T03:04:05.000Z",
    command: "npm run calibrate -- --data d.json",
    rule: "the most accurate threshold with answered precision >= 0",
  });

  it("replaces the question threshold, its provenance and map, and keeps every other setting", () => {
    const next = calibratedPolicy(
      raw,
      fit("question", "squad2"),
      "npm run calibrate -- --data d.json",
      at,
    );
    expect(next).toEqual({
      ...raw,
      threshold: 0.6,
      calibration: record("squad2"),
      confidence: { question: map("squad2"), claim: null },
    });
  });

  it("writes the claims' half beside the questions', so one run per dataset fills both", () => {
    const questions = calibratedPolicy(
      raw,
      fit("question", "squad2"),
      "npm run calibrate -- --data d.json",
      at,
    );
    const both = calibratedPolicy(
      questions,
      fit("claim", "scifact", point(0.35, 0.71234, 0.4, 0.8)),
      "npm run calibrate -- --data d.json",
      at,
    );
    expect(both).toEqual({
      ...questions,
      claimThreshold: 0.35,
      claimCalibration: record("scifact"),
      confidence: { question: map("squad2"), claim: map("scifact") },
    });
    const policy = Policy.parse(both);
    expect(policy.threshold).toBe(0.6);
    expect(policy.claimThreshold).toBe(0.35);
  });

  it("refuses a verifier policy, whose threshold comes from the verifier's operating points", () => {
    expect(() =>
      calibratedPolicy({ ...raw, verifier: "verifier-model.json" }, fit("question", "squad2"), "c"),
    ).toThrow(/operating point.*targetPrecision.*policy unchanged/);
  });

  it("rejects a result that is not a valid policy", () => {
    expect(() =>
      calibratedPolicy({ ...raw, maxSentences: 0 }, fit("question", "x"), "c"),
    ).toThrow();
    const decreasing = {
      ...fit("claim", "x"),
      confidence: {
        ...map("x"),
        points: [
          [0.3, 0.5],
          [0.8, 0.4],
        ],
      },
    };
    expect(() => calibratedPolicy(raw, decreasing as PolicyFit, "c")).toThrow(/non-decreasing/);
  });

  it("quotes only the arguments that need it in the recorded command", () => {
    expect(["--data", "a b.json", "it's"].map(shellQuote)).toEqual([
      "--data",
      "'a b.json'",
      `'it'\\''s'`,
    ]);
  });
});

describe("parseEvalArgs", () => {
  it("fills the defaults: the store per dataset, the SciFact corpus next to the claims", () => {
    const o = parseEvalArgs(["--dataset", "scifact", "--data", "x/claims.jsonl"]);
    expect(o).toMatchObject({
      store: ".verity-eval/scifact",
      corpus: "x/corpus.jsonl",
      retrievalDepth: 50,
      minPrecision: 0,
      targetPrecision: undefined,
    });
    const target = ["--dataset", "squad2", "--data", "f", "--target-precision", "0.9"];
    expect(parseEvalArgs(target).targetPrecision).toBe(0.9);
  });

  it("rejects what cannot be meant", () => {
    expect(() => parseEvalArgs(["--dataset", "nq", "--data", "f"])).toThrow(/Usage/);
    expect(() => parseEvalArgs(["--dataset", "squad2"])).toThrow(/Usage/);
    expect(() => parseEvalArgs(["--dataset", "squad2", "--data", "f", "--limit", "0"])).toThrow(
      /--limit/,
    );
    expect(() =>
      parseEvalArgs(["--dataset", "squad2", "--data", "f", "--limit", "3", "--sample", "3"]),
    ).toThrow(/cannot be combined/);
    expect(() =>
      parseEvalArgs(["--dataset", "squad2", "--data", "f", "--min-precision", "1.5"]),
    ).toThrow(/--min-precision/);
    expect(() =>
      parseEvalArgs(["--dataset", "squad2", "--data", "f", "--target-precision", "2"]),
    ).toThrow(/--target-precision/);
    expect(() =>
      parseEvalArgs([
        "--dataset",
        "squad2",
        "--data",
        "f",
        "--min-precision",
        "0.5",
        "--target-precision",
        "0.9",
      ]),
    ).toThrow(/cannot be combined/);
    expect(() => parseEvalArgs(["--dataset", "squad2", "--data", "f", "--corpus", "c"])).toThrow(
      /scifact/,
    );
    expect(() => parseEvalArgs(["--dataset", "squad2", "--data", "f", "--bogus"])).toThrow(/bogus/);
  });
});

describe("sweepOfForm", () => {
  const outcome = (id: string, bestScore: number, gold: boolean): Outcome => ({
    id,
    answerable: gold,
    goldAnswers: [],
    bestScore,
    citations: [{ quote: "q", score: bestScore, gold }],
    selectedScores: [bestScore],
    latencyMs: 1,
  });
  const items = [
    { outcome: outcome("q1", 0.9, true), text: "Who wrote it?" },
    { outcome: outcome("c1", 0.4, true), text: "Aspirin lowers the risk of stroke." },
    { outcome: outcome("c2", 0.2, false), text: "Statins raise the risk of stroke." },
  ];

  it("sweeps only the items of the form whose threshold is being chosen", () => {
    const claims = sweepOfForm(items, "claim");
    expect(claims[0]).toMatchObject({ threshold: 0, coverage: 1, answered_precision: 0.5 });
    expect(chooseThreshold(claims, 0).threshold).toBe(0.21);
    expect(sweepOfForm(items, "question")[0]).toMatchObject({ coverage: 1, accuracy: 1 });
  });
});
