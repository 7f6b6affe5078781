import { describe, expect, it } from "vitest";
import { citationCounts, scoreAt, type Outcome } from "../../lab/eval/metrics.ts";

const base = { goldAnswers: [], selectedScores: [], latencyMs: 1 };

describe("scoreAt with judged citations (SciFact)", () => {
  const outcomes: Outcome[] = [
    {
      ...base,
      id: "rationale-second",
      answerable: true,
      bestScore: 0.9,
      citations: [
        { quote: "The title.", score: 0.9, gold: false, verified: true },
        { quote: "The rationale.", score: 0.7, gold: true, verified: true },
      ],
    },
    { ...base, id: "nei", answerable: false, bestScore: 0.5, citations: [] },
  ];

  it("uses the dataset's judgement of each citation instead of answer containment", () => {
    expect(scoreAt(outcomes, 0.6).answerable).toEqual({ n: 1, answered: 1, correct: 1 });
    expect(scoreAt(outcomes, 0.8).answerable).toEqual({ n: 1, answered: 1, correct: 0 });
    expect(scoreAt(outcomes, 0.6).unanswerable).toEqual({ n: 1, refused: 1 });
    expect(scoreAt(outcomes, 0.4).unanswerable).toEqual({ n: 1, refused: 0 });
  });
});

describe("citationCounts", () => {
  it("counts sentences selected for verification and the citations that passed, at a threshold", () => {
    const outcomes: Outcome[] = [
      {
        ...base,
        id: "one-failed",
        answerable: true,
        bestScore: 0.8,
        // 0.85 was selected but failed verification, so it is not among the citations.
        selectedScores: [0.85, 0.8, 0.6],
        citations: [
          { quote: "a", score: 0.8, verified: true },
          { quote: "b", score: 0.6, verified: true },
        ],
      },
    ];
    expect(citationCounts(outcomes, 0)).toEqual({ total: 3, verified: 2 });
    expect(citationCounts(outcomes, 0.7)).toEqual({ total: 2, verified: 1 });
    expect(citationCounts(outcomes, 0.9)).toEqual({ total: 0, verified: 0 });
  });
});
