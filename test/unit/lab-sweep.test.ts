import { describe, expect, it } from "vitest";
import {
  pickMostAccurate,
  pickMostAccurateAtPrecision,
  rateTally,
  sweepThresholds,
  type OperatingPoint,
} from "../../lab/shared/sweep.ts";

const point = (
  threshold: number,
  accuracy: number,
  coverage: number,
  answered_precision: number,
): OperatingPoint => ({ threshold, accuracy, coverage, answered_precision });

describe("rateTally", () => {
  it("states accuracy and coverage over every question, precision over the answered", () => {
    const tally = { questions: 5, correct: 4, answered: 4, answeredCorrect: 3 };
    expect(rateTally(0.5, tally, 0)).toEqual(point(0.5, 4 / 5, 4 / 5, 3 / 4));
  });

  it("states precision with nothing answered by the caller's convention: eval 0, training 1", () => {
    const refusedAll = { questions: 5, correct: 2, answered: 0, answeredCorrect: 0 };
    expect(rateTally(0.9, refusedAll, 0)).toEqual(point(0.9, 2 / 5, 0, 0));
    expect(rateTally(0.9, refusedAll, 1)).toEqual(point(0.9, 2 / 5, 0, 1));
  });

  it("is all zeros (but the convention) for no questions", () => {
    const none = { questions: 0, correct: 0, answered: 0, answeredCorrect: 0 };
    expect(rateTally(0.3, none, 1)).toEqual(point(0.3, 0, 0, 1));
  });
});

describe("sweepThresholds", () => {
  it("evaluates 0, 1/steps, ..., 1, each threshold the exact decimal", () => {
    const seen = sweepThresholds(100, (t) => t);
    expect(seen).toHaveLength(101);
    expect(seen[7]).toBe(0.07);
    expect(seen[100]).toBe(1);
    const fine = sweepThresholds(1000, (t) => t);
    expect(fine).toHaveLength(1001);
    expect(fine[507]).toBe(0.507);
  });
});

describe("picking a threshold", () => {
  const points = [
    point(0.1, 0.7, 0.9, 0.6),
    point(0.3, 0.7, 0.7, 0.65),
    point(0.5, 0.65, 0.5, 0.8),
    point(0.99, 0.75, 0, 0),
  ];

  it("picks the most accurate threshold that answers something, the lowest on a tie", () => {
    expect(pickMostAccurateAtPrecision(points, 0)?.threshold).toBe(0.1);
  });

  it("honours a precision floor", () => {
    expect(pickMostAccurateAtPrecision(points, 0.62)?.threshold).toBe(0.3);
    expect(pickMostAccurateAtPrecision(points, 0.75)?.threshold).toBe(0.5);
  });

  it("picks nothing when no threshold that answers meets the floor", () => {
    expect(pickMostAccurateAtPrecision(points, 0.95)).toBeNull();
    // A precision of 1 with nothing answered (training's convention) does not count either.
    expect(pickMostAccurateAtPrecision([point(0.9, 0.8, 0, 1)], 0.5)).toBeNull();
  });

  it("without the floor, picks among every point, refusing everything included", () => {
    expect(pickMostAccurate(points).threshold).toBe(0.99);
    expect(pickMostAccurate([point(0.2, 0.5, 1, 0.5), point(0.4, 0.5, 0.5, 1)]).threshold).toBe(
      0.2,
    );
  });
});
