import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fitIsotonic } from "../../lab/eval/isotonic.ts";
import { createRng } from "../../src/rng.ts";
import { confidenceFor, loadPolicy, Policy, thresholdFor } from "../../src/answer/policy.ts";
import { calibratedConfidence, ConfidenceMap } from "../../src/scoring/confidence.ts";

const map = (points: [number, number][]): ConfidenceMap =>
  ConfidenceMap.parse({ method: "isotonic", points, fittedOn: "test", questions: 100 });

describe("calibratedConfidence", () => {
  const m = map([
    [0.2, 0.1],
    [0.5, 0.4],
    [0.8, 0.9],
  ]);

  it("interpolates between points and holds the ends outside them", () => {
    expect(calibratedConfidence(m, 0.2)).toBe(0.1);
    expect(calibratedConfidence(m, 0.35)).toBe(0.25);
    expect(calibratedConfidence(m, 0.65)).toBe(0.65);
    expect(calibratedConfidence(m, 0)).toBe(0.1);
    expect(calibratedConfidence(m, 1)).toBe(0.9);
  });

  it("never decreases as the score rises, and states four decimals", () => {
    let previous = 0;
    for (let s = 0; s <= 1; s += 0.001) {
      const p = calibratedConfidence(m, s);
      expect(p).toBeGreaterThanOrEqual(previous);
      expect(Math.round(p * 10_000) / 10_000).toBe(p);
      previous = p;
    }
    expect(calibratedConfidence(m, 0.6)).toBe(0.5667);
  });

  it("reads a one-point map as a constant", () => {
    expect(calibratedConfidence(map([[0.5, 0.3]]), 0.9)).toBe(0.3);
  });

  it("rejects maps that are not monotone or not probabilities", () => {
    const bad = (points: unknown) =>
      ConfidenceMap.safeParse({ method: "isotonic", points, fittedOn: "x", questions: 1 }).success;
    expect(bad([])).toBe(false);
    expect(
      bad([
        [0.5, 0.6],
        [0.4, 0.7],
      ]),
    ).toBe(false);
    expect(
      bad([
        [0.4, 0.6],
        [0.5, 0.5],
      ]),
    ).toBe(false);
    expect(bad([[0.4, 1.2]])).toBe(false);
  });
});

describe("fitIsotonic", () => {
  const pairs = (rows: [number, 0 | 1][]) =>
    rows.map(([score, c]) => ({ score, correct: c === 1 }));

  it("pools adjacent violators into blocks, one point each at its mean score", () => {
    expect(
      fitIsotonic(
        pairs([
          [0.1, 1],
          [0.2, 0],
          [0.3, 1],
          [0.4, 1],
        ]),
      ),
    ).toEqual([
      [0.15, 0.5],
      [0.35, 1],
    ]);
  });

  it("gives equal scores one probability, however their outcomes are ordered", () => {
    const fit = fitIsotonic(
      pairs([
        [0.5, 1],
        [0.5, 0],
        [0.2, 0],
        [0.9, 1],
      ]),
    );
    expect(fit).toEqual([
      [0.2, 0],
      [0.5, 0.5],
      [0.9, 1],
    ]);
  });

  it("returns no points for no pairs", () => {
    expect(fitIsotonic([])).toEqual([]);
  });

  it("on noisy data: a valid compact map, near the true probability, no block too small", () => {
    const rng = createRng(7);
    const truth = (s: number) => 0.05 + 0.85 * s * s;
    const data = Array.from({ length: 4000 }, () => {
      const score = Math.round(rng.next() * 10_000) / 10_000;
      return { score, correct: rng.next() < truth(score) };
    });
    const points = fitIsotonic(data, 20);
    expect(points.length).toBeLessThanOrEqual(20);
    expect(points.length).toBeGreaterThan(5);
    const fitted = map(points);
    for (const s of [0.2, 0.4, 0.6, 0.8]) {
      expect(Math.abs(calibratedConfidence(fitted, s) - truth(s))).toBeLessThan(0.08);
    }
    // Every block rests on at least 4000 / 40 items, so no end claims certainty from a handful.
    const top = data.filter((d) => d.score >= points.at(-1)![0]).length;
    expect(top).toBeGreaterThanOrEqual(50);
    expect(points.at(-1)![1]).toBeLessThan(1);
    // The fit keeps the share correct: the mean of the map over the data is the data's.
    const share = data.filter((d) => d.correct).length / data.length;
    const mean =
      data.reduce((sum, d) => sum + calibratedConfidence(fitted, d.score), 0) / data.length;
    expect(Math.abs(mean - share)).toBeLessThan(0.01);
  });
});

describe("the policy's claim threshold and confidence maps", () => {
  // The shipped policy's settings, without what calibration wrote into it.
  const { claimThreshold, claimCalibration, confidence, ...base } = JSON.parse(
    readFileSync(new URL("../../policy/default.json", import.meta.url), "utf8"),
  ) as Record<string, unknown>;
  void [claimThreshold, claimCalibration, confidence];
  const question = map([
    [0.3, 0.2],
    [0.9, 0.8],
  ]);
  const claim = map([
    [0.1, 0.4],
    [0.5, 0.6],
  ]);

  it("reads a policy without them as before: no claim threshold, no maps", () => {
    const policy = Policy.parse(base);
    expect(policy.claimThreshold).toBeNull();
    expect(policy.claimCalibration).toBeNull();
    expect(policy.confidence).toEqual({ question: null, claim: null });
    expect(thresholdFor(policy, "Aspirin lowers the risk of stroke.")).toBe(policy.threshold);
    expect(confidenceFor(policy, "Who founded Acme?", 0.8)).toBeNull();
  });

  it("holds claims to their own threshold and map, questions to theirs", () => {
    const policy = Policy.parse({ ...base, claimThreshold: 0.4, confidence: { question, claim } });
    expect(thresholdFor(policy, "Aspirin lowers the risk of stroke.")).toBe(0.4);
    expect(thresholdFor(policy, "Does aspirin lower the risk of stroke")).toBe(policy.threshold);
    expect(confidenceFor(policy, "Aspirin lowers the risk of stroke.", 0.3)).toBe(0.5);
    expect(confidenceFor(policy, "Who founded Acme?", 0.6)).toBe(0.5);
    const questionsOnly = Policy.parse({ ...base, confidence: { question } });
    expect(confidenceFor(questionsOnly, "Aspirin lowers the risk of stroke.", 0.3)).toBeNull();
  });

  it("drops the claim threshold when an explicit threshold overrides the policy", () => {
    const dir = mkdtempSync(join(tmpdir(), "verity-policy-"));
    const path = join(dir, "policy.json");
    writeFileSync(path, JSON.stringify({ ...base, claimThreshold: 0.4 }));
    expect(loadPolicy(path).policy).toMatchObject({
      threshold: base.threshold,
      claimThreshold: 0.4,
    });
    expect(loadPolicy(path, { threshold: 0 }).policy).toMatchObject({
      threshold: 0,
      claimThreshold: null,
    });
  });
});
