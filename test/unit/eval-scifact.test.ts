import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { normaliseText } from "../../ingest/normalise.ts";
import {
  abstractText,
  chunkLines,
  citedSentence,
  claimQuestion,
  lineStarts,
  loadScifact,
  SCIFACT_SOURCE_ID,
} from "../../lab/corpora/scifact.ts";

const FIXTURES = new URL("../fixtures/eval/", import.meta.url).pathname;

const doc = {
  doc_id: 7,
  title: "Walking and  blood pressure.",
  abstract: [
    "Hypertension is common.",
    "Daily walking reduced systolic\nblood pressure by 6 mmHg.   \n",
    "No adverse events.",
  ],
};

describe("abstractText", () => {
  it("puts the title on line 0 and given sentence i on line i + 1, already normalised", () => {
    const text = abstractText(doc);
    expect(text.split("\n")).toEqual([
      "Walking and blood pressure.",
      "Hypertension is common.",
      "Daily walking reduced systolic blood pressure by 6 mmHg.",
      "No adverse events.",
    ]);
    expect(normaliseText(text)).toBe(text);
  });

  it("refuses an empty sentence, which would shift every later index", () => {
    expect(() => abstractText({ ...doc, abstract: ["One.", "  \n ", "Two."] })).toThrow(
      /sentence 1 of 7/,
    );
  });
});

describe("chunkLines", () => {
  const text = [
    "a".repeat(200),
    "b".repeat(200),
    "c".repeat(200),
    "d".repeat(700),
    "e".repeat(10),
  ].join("\n");

  it("groups whole lines up to the target and never splits one", () => {
    const chunks = chunkLines(text, 500);
    expect(
      chunks.map((c) =>
        c.text
          .split("\n")
          .map((l) => l[0])
          .join(""),
      ),
    ).toEqual(["ab", "c", "d", "e"]);
    for (const c of chunks) expect(text.slice(c.start, c.end)).toBe(c.text);
    expect(chunks.map((c) => c.ordinal)).toEqual([0, 1, 2, 3]);
  });

  it("covers every line of a real-looking abstract exactly once", () => {
    const abstract = abstractText(doc);
    const chunks = chunkLines(abstract, 40);
    expect(chunks.flatMap((c) => c.text.split("\n"))).toEqual(abstract.split("\n"));
  });
});

describe("citedSentence", () => {
  const text = abstractText(doc);
  const texts = new Map([[7, { text, starts: lineStarts(text) }]]);
  const cite = (
    quote: string,
    extra: Partial<{ path: string; sourceId: string; start: number }> = {},
  ) => {
    const start = extra.start ?? text.indexOf(quote);
    return {
      sourceId: extra.sourceId ?? SCIFACT_SOURCE_ID,
      path: extra.path ?? "docs/7.txt",
      start,
      end: start + quote.length,
      quote,
    };
  };

  it("maps a quote to its given sentence index through its path and offsets", () => {
    expect(citedSentence(cite("Hypertension is common."), texts)).toEqual({
      docId: 7,
      sentence: 0,
    });
    expect(citedSentence(cite("No adverse events."), texts)).toEqual({ docId: 7, sentence: 2 });
  });

  it("maps a quote of part of a line (a sentence split further at answer time) to that line", () => {
    expect(citedSentence(cite("blood pressure by 6 mmHg."), texts)).toEqual({
      docId: 7,
      sentence: 1,
    });
  });

  it("gives null for the title, another source, an unknown document or offsets that do not hold the quote", () => {
    expect(citedSentence(cite("Walking and blood pressure."), texts)).toBeNull();
    expect(citedSentence(cite("No adverse events.", { sourceId: "other" }), texts)).toBeNull();
    expect(citedSentence(cite("No adverse events.", { path: "docs/8.txt" }), texts)).toBeNull();
    expect(citedSentence(cite("No adverse events.", { start: 3 }), texts)).toBeNull();
  });
});

describe("claimQuestion", () => {
  it("is answerable with rationale sentences as gold, and to be refused without evidence", () => {
    const q = claimQuestion({
      id: 12,
      claim: "Walking lowers blood pressure.",
      evidence: {
        "7": [
          { sentences: [1], label: "SUPPORT" },
          { sentences: [1, 2], label: "SUPPORT" },
        ],
      },
      cited_doc_ids: [7, 9],
    });
    expect(q).toMatchObject({ id: "12", answerable: true });
    expect(q.goldSentences).toEqual([
      `${SCIFACT_SOURCE_ID}:docs/7.txt#1`,
      `${SCIFACT_SOURCE_ID}:docs/7.txt#2`,
    ]);
    expect(q.goldDocuments).toEqual([
      `${SCIFACT_SOURCE_ID}:docs/7.txt`,
      `${SCIFACT_SOURCE_ID}:docs/9.txt`,
    ]);
    const nei = claimQuestion({ id: 3, claim: "x", evidence: {}, cited_doc_ids: [7] });
    expect(nei.answerable).toBe(false);
  });
});

describe("loadScifact", () => {
  it("prepares one document per abstract, chunked by lines, and judges citations by sentence", async () => {
    const corpus = await loadScifact(
      `${FIXTURES}scifact-corpus.jsonl`,
      `${FIXTURES}scifact-claims.jsonl`,
    );
    expect(corpus.files).toHaveLength(6);
    expect(corpus.questions.map((q) => [q.id, q.answerable])).toEqual([
      ["3", true],
      ["8", true],
      ["12", true],
      ["20", false],
      ["25", false],
    ]);
    const file = corpus.files.find((f) => f.path === "docs/101.txt")!;
    const lines = file.text.split("\n");
    expect(lines).toHaveLength(5);
    expect(corpus.chunk!(file.text).every((c) => file.text.slice(c.start, c.end) === c.text)).toBe(
      true,
    );
    const claim = corpus.questions[0]!;
    const at = (line: number) => {
      const start = lineStarts(file.text)[line]!;
      return {
        sourceId: SCIFACT_SOURCE_ID,
        path: file.path,
        start,
        end: start + lines[line]!.length,
        quote: lines[line]!,
      };
    };
    expect(corpus.isGold(claim, at(3))).toBe(true); // sentence 2 is the rationale
    expect(corpus.isGold(claim, at(2))).toBe(false);
    expect(corpus.isGold(claim, at(0))).toBe(false); // the title is never a rationale
  });

  it("fails loudly when claims point outside the corpus", async () => {
    const dir = await mkdtemp(join(tmpdir(), "verity-eval-scifact-"));
    const claims = join(dir, "claims.jsonl");
    const evidence = { "101": [{ sentences: [9], label: "SUPPORT" }] };
    await writeFile(
      claims,
      JSON.stringify({ id: 1, claim: "x", evidence, cited_doc_ids: [999] }) + "\n",
    );
    await expect(loadScifact(`${FIXTURES}scifact-corpus.jsonl`, claims)).rejects.toThrow(
      /docs\/101\.txt#9, 999/,
    );
    await rm(dir, { recursive: true, force: true });
  });
});
