import { describe, expect, it } from "vitest";
import {
  composeChunk,
  createSentencePool,
  MAX_COMPOSED_CHARS,
  selectDocuments,
  type PoolPassage,
} from "../../lab/bench/compose.ts";
import { orderQuestions, pinnedDocuments } from "../../lab/bench/scale-questions.ts";
import { createRng } from "../../src/rng.ts";
import type { EvalQuestion } from "../../lab/corpora/types.ts";

const docs = (sizes: number[]) => sizes.map((chunks, i) => ({ key: `d${i}`, chunks }));
const total = (list: { chunks: number }[]) => list.reduce((n, d) => n + d.chunks, 0);

describe("selectDocuments", () => {
  it("fills the size exactly with whole documents when small ones remain", () => {
    const all = docs([3, 1, 2, 5, 1, 1, 4, 1, 2, 1]);
    for (const size of [1, 4, 7, 10]) {
      expect(total(selectDocuments(all, size, new Set(), createRng(1)))).toBe(size);
    }
  });

  it("puts the pinned documents first, whatever the seed", () => {
    const all = docs([2, 2, 2, 2, 2, 2]);
    const picked = selectDocuments(all, 6, new Set(["d4", "d1"]), createRng(9));
    expect(picked.slice(0, 2).map((d) => d.key)).toEqual(["d1", "d4"]);
    expect(total(picked)).toBe(6);
  });

  it("takes every document when the size exceeds the corpus", () => {
    const all = docs([3, 1, 2]);
    expect(selectDocuments(all, 100, new Set(), createRng(1))).toHaveLength(3);
  });

  it("is the same for the same seed (a cached store is the one the plan describes)", () => {
    const all = docs(Array.from({ length: 50 }, (_, i) => 1 + (i % 4)));
    const a = selectDocuments(all, 40, new Set(), createRng(3)).map((d) => d.key);
    const b = selectDocuments(all, 40, new Set(), createRng(3)).map((d) => d.key);
    expect(a).toEqual(b);
  });
});

const unit = (dimension: number, axis: number) => {
  const v = new Float32Array(dimension);
  v[axis] = 1;
  return v;
};

describe("composeChunk", () => {
  const passages: PoolPassage[] = [
    { corpus: "a", text: "Alpha one. Alpha two. Alpha three.", vector: unit(8, 0) },
    { corpus: "a", text: "Beta one. Beta two.", vector: unit(8, 1) },
    { corpus: "b", text: "Gamma one is here. Gamma two is there.", vector: unit(8, 2) },
  ];
  const pool = createSentencePool(passages);
  const realSentences = new Set(
    ["Alpha one.", "Alpha two.", "Alpha three.", "Beta one.", "Beta two."].concat([
      "Gamma one is here.",
      "Gamma two is there.",
    ]),
  );

  it("is made of whole real sentences of one corpus, as many as its template has", () => {
    const rng = createRng(4);
    for (let i = 0; i < 50; i++) {
      const chunk = composeChunk(pool, rng);
      const sentences = chunk.text.split(/(?<=\.) /);
      expect(sentences.every((s) => realSentences.has(s))).toBe(true);
      expect(sentences.length).toBe(chunk.sentences);
      const corpus = chunk.corpus === "b" ? /^Gamma/ : /^(Alpha|Beta)/;
      expect(sentences.every((s) => corpus.test(s))).toBe(true);
    }
  });

  it("gets a unit vector near the vectors of the chunks its sentences came from", () => {
    const rng = createRng(5);
    for (let i = 0; i < 50; i++) {
      const chunk = composeChunk(pool, rng);
      const norm = Math.hypot(...chunk.vector);
      expect(norm).toBeCloseTo(1, 5);
      // Corpus b's sentences all come from the passage on axis 2; corpus a's from axes 0 and 1.
      if (chunk.corpus === "b") expect(chunk.vector[2]).toBeGreaterThan(0.95);
      else expect(Math.abs(chunk.vector[2]!)).toBeLessThan(0.1);
    }
  });

  it("stops before the largest chunk size", () => {
    const long = "Word ".repeat(120).trim() + ".";
    const big = createSentencePool(
      Array.from({ length: 3 }, () => ({
        corpus: "c",
        text: `${long} ${long} ${long} ${long}`,
        vector: unit(4, 0),
      })),
    );
    const chunk = composeChunk(big, createRng(1));
    expect(chunk.text.length).toBeLessThanOrEqual(MAX_COMPOSED_CHARS);
    expect(chunk.sentences).toBeGreaterThanOrEqual(1);
  });
});

const question = (id: string, gold: string): EvalQuestion => ({
  id,
  question: `q${id}`,
  answerable: true,
  goldAnswers: [],
  goldDocuments: [gold],
});

describe("orderQuestions", () => {
  const squad2 = Array.from({ length: 6 }, (_, i) => question(`s${i}`, `squad:${i}`));
  const scifact = Array.from({ length: 3 }, (_, i) => question(`f${i}`, `scifact:${i}`));

  it("alternates the two sets while both last, then the rest", () => {
    const ordered = orderQuestions({ squad2, scifact });
    expect(ordered.map((q) => q.dataset)).toEqual([
      ...["squad2", "scifact", "squad2", "scifact", "squad2", "scifact"],
      ...["squad2", "squad2", "squad2"],
    ]);
  });

  it("does not depend on the input order", () => {
    const a = orderQuestions({ squad2, scifact }).map((q) => q.question);
    const b = orderQuestions({ squad2: [...squad2].reverse(), scifact }).map((q) => q.question);
    expect(a).toEqual(b);
  });

  it("pins the gold documents of the questions every store must answer", () => {
    const pinned = pinnedDocuments(orderQuestions({ squad2, scifact }));
    expect(pinned.size).toBe(9);
  });
});
