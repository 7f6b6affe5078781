import { describe, expect, it } from "vitest";
import type { Database } from "../../src/db/client.ts";
import type { Candidate } from "../../src/retrieval/retrieve.ts";
import { scoreSentences } from "../../src/scoring/evidence.ts";
import { analysePassage, analyseContext } from "../../src/scoring/passage-analysis.ts";
import { analyseText } from "../../src/text/analyse.ts";
import { evidenceUnits } from "../../src/text/evidence-units.ts";
import { createLru } from "../../src/text/lru.ts";

describe("least-recently-used map", () => {
  it("forgets the entry used longest ago, and a read counts as a use", () => {
    const lru = createLru<string, number>(2);
    lru.set("a", 1);
    lru.set("b", 2);
    expect(lru.get("a")).toBe(1); // a is now the most recent
    lru.set("c", 3);
    expect(lru.get("b")).toBeUndefined();
    expect([lru.get("a"), lru.get("c"), lru.size]).toEqual([1, 3, 2]);
    lru.set("a", 10); // replacing keeps one entry
    expect([lru.get("a"), lru.size]).toEqual([10, 2]);
    expect(() => createLru(0)).toThrow(/capacity/);
  });
});

describe("passage analysis", () => {
  const passage =
    "# Refunds\n\nAnnual plans are refunded within 30 days. Monthly plans are not refunded.\n\n" +
    "| Plan | Price |\n| --- | --- |\n| Basic | $10 |";

  it("is the evidence units and the analysis of each, as computed directly", () => {
    const analysis = analysePassage(passage);
    const units = evidenceUnits(passage);
    expect(analysis.units).toEqual(units);
    expect(analysis.unitLexemes).toEqual(units.map((u) => analyseText(u.text)));
    expect(analysis.passageLexemes).toEqual(analyseText(passage));
    expect(analysis.units.map((u) => u.kind)).toContain("row");
  });

  it("is kept by text: the same text is not analysed twice, another text is its own", () => {
    const first = analysePassage(passage);
    expect(analysePassage(passage)).toBe(first);
    // A stored row altered in place has other text, so it is analysed afresh, never mistaken.
    const altered = analysePassage(passage.replace("30 days", "90 days"));
    expect(altered).not.toBe(first);
    expect(altered.passageLexemes.has("90")).toBe(true);
    expect(first.passageLexemes.has("90")).toBe(false);
    expect(analyseContext("Billing FAQ")).toBe(analyseContext("Billing FAQ"));
    expect(analyseContext("Billing FAQ")).toEqual(analyseText("Billing FAQ"));
  });
});

describe("sentence scoring on shared passage analyses", () => {
  const text = "Two-factor authentication protects every account. Codes expire after a minute.";
  const candidate: Candidate = {
    chunkId: "chk_1",
    versionId: "ver_1",
    documentId: "doc_1",
    sourceId: "help",
    sourceName: "Help centre",
    title: "Security",
    uri: "file://security.md",
    path: "security.md",
    trust: "authoritative",
    start: 0,
    end: text.length,
    text,
    sha256: "0".repeat(64),
    suspectedInjection: false,
    lexicalScore: 1,
    lexicalRank: 0,
    denseSimilarity: 0.5,
    fusedScore: 1,
  };
  const term = (lexeme: string, acronym: boolean) => ({
    lexeme,
    surface: lexeme,
    df: 1,
    idf: 2,
    weight: 2,
    entity: false,
    paraphrases: new Map(),
    acronym,
  });
  // In process, scoring never touches the store.
  const noDatabase = null as unknown as Database;

  it("credits an acronym spelled out by initials without changing the kept analysis", async () => {
    const asked = { terms: [term("2fa", true)], chunkCount: 10, avgLength: 10 };
    const scored = await scoreSentences(noDatabase, "Is 2FA on?", asked, [candidate], null, true);
    const first = scored.sentences.find((s) => s.text.startsWith("Two-factor"))!;
    expect(first.lexemes.has("2fa")).toBe(true);
    expect(first.signals.sentenceCoverage).toBeGreaterThan(0);
    // The next question, with no acronym, reads the analysis as the text has it.
    const kept = analysePassage(text);
    expect(kept.passageLexemes.has("2fa")).toBe(false);
    expect(kept.unitLexemes.some((l) => l.has("2fa"))).toBe(false);
    const plain = { terms: [term("2fa", false)], chunkCount: 10, avgLength: 10 };
    const again = await scoreSentences(noDatabase, "Is 2FA on?", plain, [candidate], null, true);
    expect(again.sentences.every((s) => !s.lexemes.has("2fa"))).toBe(true);
  });
});
