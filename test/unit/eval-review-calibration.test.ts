import { describe, expect, it } from "vitest";
import {
  calibrateFromReviews,
  reviewPointAt,
  wilsonInterval,
  type ReviewedAnswer,
} from "../../lab/eval/review-calibration.ts";

const answered = (
  support: number,
  verdict: ReviewedAnswer["verdict"],
  threshold = 0.75,
): ReviewedAnswer => ({
  answerId: `ans_${support}`,
  form: "question",
  status: "answered",
  support,
  bestScore: null,
  threshold,
  verdict,
});

describe("calibration from reviews", () => {
  it("counts an answer at every threshold its support reaches; unsupported is not correct", () => {
    const items = [answered(0.76, "unsupported"), answered(0.8, "correct")];
    expect(reviewPointAt(items, 0.76)).toEqual({
      threshold: 0.76,
      answered: 2,
      correct: 1,
      precision: 0.5,
    });
    expect(reviewPointAt(items, 0.81)).toMatchObject({ answered: 0, precision: null });
  });

  it("never looks below the highest threshold a reviewed answer was held to", () => {
    // Answered under an older 0.70, then under 0.75: below 0.75 other answers would be given.
    const items = [answered(0.71, "correct", 0.7), answered(0.76, "incorrect")];
    const c = calibrateFromReviews(items, "question", { threshold: 0.7, targetPrecision: 0.9 });
    expect(c.floor).toBe(0.75);
    expect(c.sweep[0]!.threshold).toBe(0.75);
    expect(c.current).toBeNull();
    expect(c.target).toBeNull();
  });

  it("reads a threshold stored as a 4-byte real at the decimals it was meant", () => {
    const items = [answered(0.78, "correct", Math.fround(0.78))];
    const c = calibrateFromReviews(items, "question", { threshold: 0.78, targetPrecision: 0.9 });
    expect(c.floor).toBe(0.78);
    expect(c.current).toMatchObject({ answered: 1, precision: 1 });
    expect(c.target?.threshold).toBe(0.78);
  });

  it("gives a Wilson interval that says how little a few reviews prove", () => {
    expect(wilsonInterval(4, 4)).toEqual([0.51, 1]);
    expect(wilsonInterval(90, 100)).toEqual([0.826, 0.945]);
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
  });
});
