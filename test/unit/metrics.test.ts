import { describe, expect, it } from "vitest";
import { scoreAt, sweepOutcomes, type Outcome } from "../../lab/eval/metrics.ts";
import { pickMostAccurateAtPrecision } from "../../lab/shared/sweep.ts";

function outcome(o: Partial<Outcome> & Pick<Outcome, "id" | "answerable">): Outcome {
  return {
    goldAnswers: [],
    bestScore: null,
    citations: [],
    selectedScores: [],
    latencyMs: 10,
    ...o,
  };
}

/**
 * Five questions, hand-scored below:
 * - premium: answerable, gold in a quote cited at 0.8.
 * - refund: answerable, best 0.9 but the gold is only in a quote cited at 0.4.
 * - nothing: answerable, retrieval found nothing (refused at any threshold).
 * - ceo: unanswerable, best 0.6 (wrongly answered below 0.6).
 * - weather: unanswerable, nothing found.
 */
const outcomes: Outcome[] = [
  outcome({
    id: "premium",
    answerable: true,
    goldAnswers: ["$8 per month"],
    bestScore: 0.8,
    citations: [{ quote: "The Premium plan costs $8 per month.", score: 0.8 }],
  }),
  outcome({
    id: "refund",
    answerable: true,
    goldAnswers: ["five days", "5 days"],
    bestScore: 0.9,
    citations: [
      { quote: "Refunds are handled by billing.", score: 0.9 },
      { quote: "Refunds take 5\n  Days.", score: 0.4 },
    ],
  }),
  outcome({ id: "nothing", answerable: true, goldAnswers: ["42"], bestScore: null }),
  outcome({
    id: "ceo",
    answerable: false,
    bestScore: 0.6,
    citations: [{ quote: "Acme has a board.", score: 0.6 }],
  }),
  outcome({ id: "weather", answerable: false, bestScore: null }),
];

describe("scoreAt", () => {
  it("counts gold in a quote that clears the threshold as correct, and refusals of the unanswerable", () => {
    expect(scoreAt(outcomes, 0.7)).toEqual({
      threshold: 0.7,
      accuracy: 3 / 5, // premium correct; ceo and weather refused
      coverage: 2 / 5, // premium and refund answered
      answered_precision: 1 / 2,
      answerable: { n: 3, answered: 2, correct: 1 },
      unanswerable: { n: 2, refused: 2 },
    });
  });

  it("does not credit gold found only in a citation below the threshold", () => {
    const at = scoreAt(outcomes, 0.5);
    expect(at.answerable).toEqual({ n: 3, answered: 2, correct: 1 });
    expect(at.unanswerable).toEqual({ n: 2, refused: 1 });
    expect(at.accuracy).toBeCloseTo(2 / 5, 12);
    expect(at.coverage).toBeCloseTo(3 / 5, 12);
    expect(at.answered_precision).toBeCloseTo(1 / 3, 12);
  });

  it("credits that gold once the threshold drops to its citation, ignoring case and spacing", () => {
    const at = scoreAt(outcomes, 0.4);
    expect(at.answerable).toEqual({ n: 3, answered: 2, correct: 2 });
    expect(at.accuracy).toBeCloseTo(3 / 5, 12);
    expect(at.answered_precision).toBeCloseTo(2 / 3, 12);
  });

  it("answers at a score exactly equal to the threshold", () => {
    expect(scoreAt(outcomes, 0.8).answerable).toEqual({ n: 3, answered: 2, correct: 1 });
    expect(scoreAt(outcomes, 0.81).answerable).toEqual({ n: 3, answered: 1, correct: 0 });
    expect(scoreAt(outcomes, 0.6).unanswerable.refused).toBe(1);
    expect(scoreAt(outcomes, 0.61).unanswerable.refused).toBe(2);
  });

  it("refuses everything above every score: coverage and precision 0, accuracy the unanswerable share", () => {
    expect(scoreAt(outcomes, 0.95)).toEqual({
      threshold: 0.95,
      accuracy: 2 / 5,
      coverage: 0,
      answered_precision: 0,
      answerable: { n: 3, answered: 0, correct: 0 },
      unanswerable: { n: 2, refused: 2 },
    });
  });

  it("never answers a question whose retrieval found nothing, even at threshold 0", () => {
    const at = scoreAt(outcomes, 0);
    expect(at.answerable.answered).toBe(2);
    expect(at.unanswerable.refused).toBe(1);
  });

  it("is all zeros for no outcomes", () => {
    expect(scoreAt([], 0.5)).toEqual({
      threshold: 0.5,
      accuracy: 0,
      coverage: 0,
      answered_precision: 0,
      answerable: { n: 0, answered: 0, correct: 0 },
      unanswerable: { n: 0, refused: 0 },
    });
  });
});

describe("sweepOutcomes", () => {
  it("replays thresholds 0.00 to 1.00 in steps of 0.01", () => {
    const points = sweepOutcomes(outcomes);
    expect(points).toHaveLength(101);
    expect(points[0]!.threshold).toBe(0);
    expect(points[76]!.threshold).toBe(0.76);
    expect(points[100]!.threshold).toBe(1);
    expect(points[70]).toEqual(scoreAt(outcomes, 0.7));
    expect(points.map((p) => Math.round(p.accuracy * 5))).toEqual([
      ...Array<number>(41).fill(3), // 0.00..0.40: premium and refund correct, weather refused
      ...Array<number>(20).fill(2), // 0.41..0.60: refund's gold no longer cited, ceo answered
      ...Array<number>(20).fill(3), // 0.61..0.80: ceo refused
      ...Array<number>(20).fill(2), // 0.81..1.00: premium refused
    ]);
  });
});

describe("the best threshold of a sweep", () => {
  it("is the most accurate that answers something, the lowest on a tie", () => {
    const best = pickMostAccurateAtPrecision(sweepOutcomes(outcomes), 0)!;
    expect(best.threshold).toBe(0);
    expect(best.accuracy).toBeCloseTo(3 / 5, 12);
  });
});
