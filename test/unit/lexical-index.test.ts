import { describe, expect, it } from "vitest";
import {
  createLexicalIndex,
  createLexicalIndexBuilder,
  type LexicalDoc,
} from "../../src/retrieval/lexical-index.ts";
import { termScore } from "../../src/retrieval/lexical-topk.ts";
import { idf } from "../../src/retrieval/lexical.ts";
import { createRng, type Rng } from "../../src/rng.ts";

// The index must return exactly what scoring every chunk would: the same k chunks, in the same
// order (score, then chunk id), whatever MaxScore skipped, and never another tenant's chunk.

const VOCAB = Array.from({ length: 60 }, (_, i) => `w${i}`);

function randomDoc(rng: Rng, i: number): LexicalDoc {
  const terms = new Map<string, number>();
  const n = 1 + rng.int(12);
  // Zipf-like: low-numbered words are common, as real words are.
  for (let j = 0; j < n; j++) {
    const w = VOCAB[Math.floor(VOCAB.length * rng.next() ** 2)]!;
    terms.set(w, (terms.get(w) ?? 0) + 1 + (rng.next() < 0.1 ? rng.int(300) : 0));
  }
  const source = rng.int(6);
  return {
    chunkId: `chk_${String(i).padStart(5, "0")}`,
    tenant: source === 5 ? "other" : "default",
    sourceId: `s${source}`,
    terms,
  };
}

/** Score every live doc: the reference MaxScore must equal. */
function bruteForce(
  docs: Map<string, LexicalDoc>,
  query: string[],
  k: number,
  allow: (d: LexicalDoc) => boolean,
  selecting?: Set<string>,
) {
  const live = [...docs.values()];
  const avg = live.reduce((s, d) => s + d.terms.size, 0) / live.length;
  const df = (w: string) => live.filter((d) => d.terms.has(w)).length;
  const terms = query.filter((w) => df(w) > 0).map((w) => ({ w, idf: idf(df(w), live.length) }));
  return live
    .filter(allow)
    .filter((d) => terms.some((t) => d.terms.has(t.w) && (!selecting || selecting.has(t.w))))
    .map((d) => ({
      chunkId: d.chunkId,
      score: terms.reduce(
        (s, t) =>
          s +
          (d.terms.has(t.w)
            ? termScore(t.idf, Math.min(255, d.terms.get(t.w)!), d.terms.size, avg)
            : 0),
        0,
      ),
    }))
    .sort((a, b) => b.score - a.score || (a.chunkId < b.chunkId ? -1 : 1))
    .slice(0, k);
}

function check(
  index: ReturnType<typeof createLexicalIndex>,
  docs: Map<string, LexicalDoc>,
  rng: Rng,
) {
  for (let q = 0; q < 40; q++) {
    const query = [
      ...new Set(Array.from({ length: 1 + rng.int(5) }, () => VOCAB[rng.int(VOCAB.length)]!)),
    ];
    const k = 1 + rng.int(12);
    const selecting =
      rng.next() < 0.5 ? new Set(query.slice(0, 1 + rng.int(query.length))) : undefined;
    const sources = rng.next() < 0.3 ? ["s1", "s2", "s5"] : null;
    const allow = (d: LexicalDoc) =>
      d.tenant === "default" && (!sources || sources.includes(d.sourceId));
    const expected = bruteForce(docs, query, k, allow, selecting);
    const terms = query.map((w) => ({ lexeme: w, idf: idf(index.df(w), index.chunkCount()) }));
    const got = index.search(terms, { k, selecting, allow: index.filter("default", sources) });
    expect(got.map((h) => h.chunkId)).toEqual(expected.map((h) => h.chunkId));
    got.forEach((h, i) => expect(h.score).toBeCloseTo(expected[i]!.score, 9));
  }
}

describe("MaxScore top-k equals scoring every chunk", () => {
  it.each([1, 2, 3])("on a random corpus (seed %i), built at once", (seed) => {
    const rng = createRng(seed);
    const docs = new Map(
      Array.from({ length: 800 }, (_, i) => randomDoc(rng, i)).map((d) => [d.chunkId, d]),
    );
    check(createLexicalIndex(docs.values()), docs, rng);
  });

  it("built from tsvectors' text forms as opening a store builds it", () => {
    const rng = createRng(4);
    const docs = new Map(
      Array.from({ length: 800 }, (_, i) => randomDoc(rng, i)).map((d) => [d.chunkId, d]),
    );
    // The text form PostgreSQL prints: each lexeme quoted, one position per occurrence.
    const tsvectorText = (d: LexicalDoc) =>
      [...d.terms]
        .map(([w, tf]) => `'${w}':${Array.from({ length: tf }, (_, p) => p + 1).join(",")}`)
        .join(" ");
    const builder = createLexicalIndexBuilder();
    for (const d of docs.values()) builder.addTsvector(d, tsvectorText(d));
    const index = builder.finish();
    expect(index.stats()).toEqual(createLexicalIndex(docs.values()).stats());
    check(index, docs, rng);
  });

  it("while chunks are added and removed (tails, dead postings, compaction)", () => {
    const rng = createRng(42);
    const docs = new Map<string, LexicalDoc>();
    const index = createLexicalIndex();
    let next = 0;
    for (let round = 0; round < 12; round++) {
      const added = Array.from({ length: 150 }, () => randomDoc(rng, next++));
      index.add(added);
      for (const d of added) docs.set(d.chunkId, d);
      const gone = [...docs.keys()].filter(() => rng.next() < 0.15);
      index.remove(gone, (id) => docs.get(id)!.terms.keys());
      for (const id of gone) docs.delete(id);
      expect(index.chunkCount()).toBe(docs.size);
      check(index, docs, rng);
    }
  });

  it("keeps the first of two docs given for one chunk id, as if the second were never given", () => {
    const rng = createRng(9);
    const docs = new Map(
      Array.from({ length: 300 }, (_, i) => randomDoc(rng, i)).map((d) => [d.chunkId, d]),
    );
    const repeats = [...docs.values()]
      .slice(0, 30)
      .map((d) => ({ ...d, terms: new Map([["w0", 7]]) }));
    const index = createLexicalIndex([...docs.values(), ...repeats]);
    expect(index.chunkCount()).toBe(docs.size);
    expect(index.stats().postings).toBe(
      [...docs.values()].reduce((sum, d) => sum + d.terms.size, 0),
    );
    check(index, docs, rng);
  });

  it("finds a removed chunk's lexemes itself when not told them", () => {
    const rng = createRng(5);
    const docs = new Map(
      Array.from({ length: 300 }, (_, i) => randomDoc(rng, i)).map((d) => [d.chunkId, d]),
    );
    const index = createLexicalIndex(docs.values());
    const gone = [...docs.keys()].slice(0, 40);
    index.remove(gone);
    for (const id of gone) docs.delete(id);
    for (const w of VOCAB)
      expect(index.df(w)).toBe([...docs.values()].filter((d) => d.terms.has(w)).length);
    check(index, docs, rng);
  });
});

describe("tenant isolation", () => {
  it("never returns another tenant's chunk, even when it scores best", () => {
    const docs: LexicalDoc[] = [
      { chunkId: "a", tenant: "other", sourceId: "x", terms: new Map([["secret", 9]]) },
      {
        chunkId: "b",
        tenant: "default",
        sourceId: "y",
        terms: new Map([
          ["secret", 1],
          ["plan", 1],
        ]),
      },
    ];
    const index = createLexicalIndex(docs);
    const terms = [{ lexeme: "secret", idf: 1 }];
    expect(
      index.search(terms, { k: 5, allow: index.filter("default") }).map((h) => h.chunkId),
    ).toEqual(["b"]);
    expect(index.search(terms, { k: 5, allow: index.filter("nobody") })).toEqual([]);
  });
});
