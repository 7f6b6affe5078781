import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { calibratedPolicy, chooseThreshold, shellQuote } from "../../lab/eval/calibration.ts";
import { parseEvalArgs } from "../../lab/eval/options.ts";

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

describe("calibratedPolicy", () => {
  const raw = JSON.parse(
    readFileSync(new URL("../../policy/default.json", import.meta.url), "utf8"),
  ) as Record<string, unknown>;

  it("replaces the threshold and its provenance and keeps every other setting", () => {
    const next = calibratedPolicy(
      raw,
      { dataset: "squad2", data: "d.json", questions: 10 },
      point(0.6, 0.71234, 0.5, 0.8),
      "npm run calibrate -- --dataset squad2 --data d.json",
      new Date("2026-01-02T03:04:05Z"),
    );
    expect(next).toEqual({
      ...raw,
      threshold: 0.6,
      calibration: {
        dataset: "squad2",
        data: "d.json",
        questions: 10,
        accuracy: 0.7123,
        answeredPrecision: 0.8,
        calibratedAt: "2026-01-02T03:04:05.000Z",
        command: "npm run calibrate -- --dataset squad2 --data d.json",
      },
    });
  });

  it("refuses a verifier policy, whose threshold comes from the verifier's operating points", () => {
    expect(() =>
      calibratedPolicy(
        { ...raw, verifier: "verifier-model.json" },
        { dataset: "squad2", data: "d.json", questions: 10 },
        sweep[0]!,
        "npm run calibrate",
      ),
    ).toThrow(/operating point.*targetPrecision.*policy unchanged/);
  });

  it("rejects a result that is not a valid policy", () => {
    expect(() =>
      calibratedPolicy(
        { ...raw, maxSentences: 0 },
        { dataset: "x", data: "y", questions: 1 },
        sweep[0]!,
        "c",
      ),
    ).toThrow();
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
    });
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
    expect(() => parseEvalArgs(["--dataset", "squad2", "--data", "f", "--corpus", "c"])).toThrow(
      /scifact/,
    );
    expect(() => parseEvalArgs(["--dataset", "squad2", "--data", "f", "--bogus"])).toThrow(/bogus/);
  });
});
