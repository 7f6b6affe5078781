import { describe, expect, it } from "vitest";
import type { EvalQuestion } from "../../lab/corpora/types.ts";
import { groupQuestions } from "../../lab/training/groups.ts";
import { pickMostAccurateAtPrecision } from "../../lab/shared/sweep.ts";
import { pointAt, sweepDecisions, type Decision } from "../../lab/training/cross-validate.ts";

const q = (id: string, goldDocuments: string[], goldSentences: string[] = []): EvalQuestion => ({
  id,
  question: id,
  answerable: true,
  goldAnswers: [],
  goldDocuments,
  goldSentences,
});

describe("cross-validation groups", () => {
  it("keeps a SQuAD article's questions together, whatever the paragraph", () => {
    const groups = groupQuestions([
      q("a", ["squad-rhine:docs/squad-rhine/p000.txt"]),
      q("b", ["squad-rhine:docs/squad-rhine/p007.txt"]),
      q("c", ["squad-oxygen:docs/squad-oxygen/p001.txt"]),
    ]);
    expect(groups.get("a")).toBe(groups.get("b"));
    expect(groups.get("a")).not.toBe(groups.get("c"));
  });

  it("joins SciFact claims that share any cited or evidence abstract, transitively", () => {
    const doc = (n: number) => `scifact-corpus:docs/${n}.txt`;
    const groups = groupQuestions([
      q("1", [doc(1)]),
      q("2", [doc(2)], [`${doc(1)}#3`]),
      q("3", [doc(2), doc(3)]),
      q("4", [doc(4)]),
    ]);
    expect(new Set(["1", "2", "3"].map((id) => groups.get(id))).size).toBe(1);
    expect(groups.get("4")).not.toBe(groups.get("1"));
  });
});

describe("operating points from held-out decisions", () => {
  const d = (best: number, correct: boolean, answerable: boolean): Decision => ({
    dataset: "squad2",
    best,
    correct,
    answerable,
  });
  const decisions = [
    d(0.9, true, true),
    d(0.8, true, true),
    d(0.7, false, false),
    d(0.6, true, true),
    d(0.2, false, false),
  ];

  it("counts a refusal of the unanswerable and a gold answer as correct", () => {
    expect(pointAt(decisions, 0.75)).toEqual({
      threshold: 0.75,
      accuracy: 4 / 5,
      answered_precision: 1,
      coverage: 2 / 5,
    });
    expect(pointAt(decisions, 0.5)).toMatchObject({ accuracy: 4 / 5, answered_precision: 3 / 4 });
  });

  it("states answered precision 1 when nothing is answered, as the recorded points do", () => {
    expect(pointAt(decisions, 0.95)).toEqual({
      threshold: 0.95,
      accuracy: 2 / 5,
      answered_precision: 1,
      coverage: 0,
    });
  });

  it("sweeps probability thresholds 0.000 to 1.000 in steps of 0.001", () => {
    const points = sweepDecisions(decisions);
    expect(points).toHaveLength(1001);
    expect(points[815]).toEqual(pointAt(decisions, 0.815));
  });

  it("picks the most accurate threshold reaching a precision target, or none", () => {
    expect(pickMostAccurateAtPrecision(sweepDecisions(decisions), 0.95)?.accuracy).toBe(4 / 5);
    expect(pickMostAccurateAtPrecision(sweepDecisions([d(0.9, false, false)]), 0.5)).toBeNull();
  });
});
