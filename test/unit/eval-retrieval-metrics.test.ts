import { describe, expect, it } from "vitest";
import {
  ndcgAt,
  rankDocuments,
  recallAt,
  scoreRetrieval,
} from "../../lab/eval/retrieval-metrics.ts";

const chunk = (sourceId: string, path: string) => ({ sourceId, path });

describe("rankDocuments", () => {
  it("ranks documents by the first of their chunks among the fused candidates", () => {
    const ranked = rankDocuments([
      chunk("s", "b.txt"),
      chunk("s", "a.txt"),
      chunk("s", "b.txt"),
      chunk("t", "a.txt"),
    ]);
    expect(ranked).toEqual(["s:b.txt", "s:a.txt", "t:a.txt"]);
  });
});

describe("recallAt and ndcgAt", () => {
  it("give 1 for the gold document first and discount it by log2(rank + 1) further down", () => {
    expect(recallAt(["g", "x"], ["g"], 5)).toBe(1);
    expect(ndcgAt(["g", "x"], ["g"], 10)).toBe(1);
    expect(ndcgAt(["x", "y", "g"], ["g"], 10)).toBeCloseTo(1 / Math.log2(4), 12); // 0.5
    expect(recallAt(["x", "y", "z", "w", "v", "g"], ["g"], 5)).toBe(0);
    expect(ndcgAt(["x", "y", "z", "w", "v", "g"], ["g"], 5)).toBe(0);
  });

  it("share recall among several gold documents and normalise by the ideal ranking", () => {
    // Gold a and b at ranks 1 and 3: DCG = 1 + 1/log2(4) = 1.5; ideal = 1 + 1/log2(3).
    expect(ndcgAt(["a", "x", "b"], ["a", "b"], 10)).toBeCloseTo(1.5 / (1 + 1 / Math.log2(3)), 12);
    expect(recallAt(["a", "x", "b"], ["a", "b", "c", "d"], 2)).toBe(0.25);
  });

  it("count a document once even when retrieval lists fewer documents than k", () => {
    expect(recallAt(["a"], ["a", "a"], 10)).toBe(1);
    expect(ndcgAt([], ["a"], 10)).toBe(0);
  });

  it("are undefined (null) without gold documents", () => {
    expect(recallAt(["a"], [], 5)).toBeNull();
    expect(ndcgAt(["a"], [], 10)).toBeNull();
  });
});

describe("scoreRetrieval", () => {
  it("averages over the questions that have gold documents only", () => {
    const scores = scoreRetrieval([
      { ranked: ["g1"], gold: ["g1"] },
      { ranked: ["x", "y", "g2"], gold: ["g2"] },
      { ranked: ["z"], gold: [] },
    ]);
    expect(scores.questions).toBe(2);
    expect(scores.mean_documents).toBe(2);
    expect(scores.recall_at_5).toBe(1);
    expect(scores.ndcg_at_10).toBeCloseTo((1 + 0.5) / 2, 12);
  });

  it("is all zeros for no questions", () => {
    expect(scoreRetrieval([])).toEqual({
      questions: 0,
      mean_documents: 0,
      recall_at_5: 0,
      recall_at_10: 0,
      ndcg_at_10: 0,
    });
  });
});
