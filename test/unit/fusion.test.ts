import { describe, expect, it } from "vitest";
import { fuseRankings } from "../../src/retrieval/fusion.ts";

/** Reciprocal-rank contribution with the module's k = 60 and 1-based ranks. */
const rr = (weight: number, rank: number) => weight / (60 + rank);

describe("fuseRankings", () => {
  it("returns nothing for no lists or empty lists", () => {
    expect(fuseRankings([])).toEqual([]);
    expect(fuseRankings([{ weight: 1, ids: [] }])).toEqual([]);
  });

  it("scores one list by weighted reciprocal rank", () => {
    expect(fuseRankings([{ weight: 2, ids: ["a", "b", "c"] }])).toEqual([
      { id: "a", score: rr(2, 1) },
      { id: "b", score: rr(2, 2) },
      { id: "c", score: rr(2, 3) },
    ]);
  });

  it("sums an id's contributions across lists", () => {
    const fused = fuseRankings([
      { weight: 1, ids: ["a", "b"] },
      { weight: 0.5, ids: ["b", "a"] },
    ]);
    expect(fused.map((f) => f.id)).toEqual(["a", "b"]);
    expect(fused[0]!.score).toBeCloseTo(rr(1, 1) + rr(0.5, 2), 15);
    expect(fused[1]!.score).toBeCloseTo(rr(1, 2) + rr(0.5, 1), 15);
  });

  it("lets the heavier list decide when the lists disagree", () => {
    const lexical = { weight: 1, ids: ["lex-top", "dense-top"] };
    const dense = { weight: 0.3, ids: ["dense-top", "lex-top"] };
    expect(fuseRankings([lexical, dense]).map((f) => f.id)).toEqual(["lex-top", "dense-top"]);
    const heavyDense = { ...dense, weight: 3 };
    expect(fuseRankings([lexical, heavyDense]).map((f) => f.id)).toEqual(["dense-top", "lex-top"]);
  });

  it("keeps ids that appear in only one list, scored by that list alone", () => {
    const fused = fuseRankings([
      { weight: 1, ids: ["both", "lex-only"] },
      { weight: 1, ids: ["dense-only", "both"] },
    ]);
    expect(fused).toEqual([
      { id: "both", score: rr(1, 1) + rr(1, 2) },
      { id: "dense-only", score: rr(1, 1) },
      { id: "lex-only", score: rr(1, 2) },
    ]);
  });

  it("ranks an id found by both lists above one found first by a single list", () => {
    // Second in both beats first in one: 2/62 > 1/61.
    const fused = fuseRankings([
      { weight: 1, ids: ["solo", "shared"] },
      { weight: 1, ids: ["other", "shared"] },
    ]);
    expect(fused[0]!.id).toBe("shared");
  });

  it("breaks ties by id, whatever the input order", () => {
    const expected = ["a", "b", "c"];
    const tie1 = fuseRankings([
      { weight: 1, ids: ["c"] },
      { weight: 1, ids: ["a"] },
      { weight: 1, ids: ["b"] },
    ]);
    expect(tie1.map((f) => f.id)).toEqual(expected);
    expect(new Set(tie1.map((f) => f.score)).size).toBe(1);
    const tie2 = fuseRankings([
      { weight: 1, ids: ["b", "c"] },
      { weight: 1, ids: ["c", "b"] },
      { weight: 1, ids: ["a"] },
    ]);
    // b and c tie on 1/61 + 1/62; a alone has 1/61.
    expect(tie2.map((f) => f.id)).toEqual(["b", "c", "a"]);
    expect(tie2[0]!.score).toBe(tie2[1]!.score);
  });

  it("gives ids of a zero-weight list a zero score, after every weighted id", () => {
    const fused = fuseRankings([
      { weight: 1, ids: ["x"] },
      { weight: 0, ids: ["z", "y"] },
    ]);
    expect(fused).toEqual([
      { id: "x", score: rr(1, 1) },
      { id: "y", score: 0 },
      { id: "z", score: 0 },
    ]);
  });
});
