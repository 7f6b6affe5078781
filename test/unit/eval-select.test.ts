import { describe, expect, it } from "vitest";
import { compareIds, selectQuestions } from "../../lab/corpora/select.ts";
import type { EvalQuestion } from "../../lab/corpora/types.ts";

const q = (id: string, answerable: boolean): EvalQuestion => ({
  id,
  question: `question ${id}`,
  answerable,
  goldAnswers: [],
  goldDocuments: [],
});

// Like SQuAD 2.0: the unanswerable questions' ids sort after all the answerable ones.
const questions = [
  ...Array.from({ length: 60 }, (_, i) => q(`56${String(i).padStart(4, "0")}`, true)),
  ...Array.from({ length: 40 }, (_, i) => q(`5a${String(i).padStart(4, "0")}`, false)),
].reverse();

describe("selectQuestions", () => {
  it("--limit takes the first N by sorted id (for SQuAD: answerable questions only)", () => {
    const picked = selectQuestions(questions, { limit: 10 });
    expect(picked.map((p) => p.id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `56${String(i).padStart(4, "0")}`),
    );
  });

  it("--sample keeps the answerable share, is deterministic and comes back in id order", () => {
    const picked = selectQuestions(questions, { sample: 10 });
    expect(picked).toHaveLength(10);
    expect(picked.filter((p) => p.answerable)).toHaveLength(6);
    expect(selectQuestions([...questions].reverse(), { sample: 10 })).toEqual(picked);
    expect([...picked].sort((a, b) => compareIds(a.id, b.id))).toEqual(picked);
  });

  it("returns everything, sorted, without a limit or with a sample as large as the set", () => {
    expect(selectQuestions(questions, {})).toHaveLength(100);
    expect(selectQuestions(questions, { sample: 500 })[0]!.id).toBe("560000");
  });
});

describe("compareIds", () => {
  it("orders numeric ids (SciFact) numerically and others by code unit", () => {
    expect(["10", "9", "100"].sort(compareIds)).toEqual(["9", "10", "100"]);
    expect(["5a", "56", "57"].sort(compareIds)).toEqual(["56", "57", "5a"]);
  });
});
