import { describe, expect, it } from "vitest";
import { splitSentences } from "../../src/text/sentences.ts";
import { createRng } from "../../src/rng.ts";

const sentencesOf = (text: string) => splitSentences(text).map((s) => text.slice(s.start, s.end));

describe("splitSentences", () => {
  it("splits ordinary prose at sentence ends", () => {
    expect(sentencesOf("The tank is full. Is it leaking? No! It is fine.")).toEqual([
      "The tank is full.",
      "Is it leaking?",
      "No!",
      "It is fine.",
    ]);
  });

  it("does not split after common abbreviations", () => {
    const text =
      "Dr. Osei met Mr. Jones at 3 p.m. Monday. Use a filter, e.g. sand, i.e. a cheap one. " +
      "The U.S. Army paid approx. 4.5 million. See No. 7 here.";
    expect(sentencesOf(text)).toEqual([
      "Dr. Osei met Mr. Jones at 3 p.m. Monday.",
      "Use a filter, e.g. sand, i.e. a cheap one.",
      "The U.S. Army paid approx. 4.5 million.",
      "See No. 7 here.",
    ]);
  });

  it("keeps abbreviations after opening punctuation and initials together", () => {
    expect(sentencesOf("(Dr. Ruiz) wrote it. John F. Kennedy spoke. See (Fig. 3) now.")).toEqual([
      "(Dr. Ruiz) wrote it.",
      "John F. Kennedy spoke.",
      "See (Fig. 3) now.",
    ]);
  });

  it("still splits after a lower-case 'no.' that ends a sentence", () => {
    expect(sentencesOf("She said no. Then she left.")).toEqual(["She said no.", "Then she left."]);
  });

  it("does not split inside numbers or versions", () => {
    expect(sentencesOf("It costs $4.50 today. Version v2.1 ships 3.14 times faster.")).toEqual([
      "It costs $4.50 today.",
      "Version v2.1 ships 3.14 times faster.",
    ]);
  });

  it("always ends a sentence at a newline, even after an abbreviation", () => {
    const text = "Heading without a period\n- item one\nAsk Dr.\nSmith answered\r\nDone";
    expect(sentencesOf(text)).toEqual([
      "Heading without a period",
      "- item one",
      "Ask Dr.",
      "Smith answered",
      "Done",
    ]);
  });

  it("returns trimmed spans that index the input exactly", () => {
    const text = "  \n  First one.   Second\tone!  \n\n\n  Third 🌊 one?  ";
    const spans = splitSentences(text);
    const at = (sentence: string) => {
      const start = text.indexOf(sentence);
      return { start, end: start + sentence.length };
    };
    expect(spans).toEqual([at("First one."), at("Second\tone!"), at("Third 🌊 one?")]);
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual([
      "First one.",
      "Second\tone!",
      "Third 🌊 one?",
    ]);
  });

  it("returns nothing for empty or blank text", () => {
    expect(splitSentences("")).toEqual([]);
    expect(splitSentences(" \n\t\u00a0 \n")).toEqual([]);
  });

  it("handles very long lines quickly and consistently", () => {
    const sentence = "Dr. Who met Mr. Smith at 3 p.m. on a long day. ";
    const text = sentence.repeat(20_000);
    const started = performance.now();
    const spans = splitSentences(text);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(spans).toHaveLength(20_000);
    expect(spans.every((s) => text.slice(s.start, s.end) === sentence.trim())).toBe(true);
  });

  it("splits a window-sized run without sentence ends at whitespace, keeping every character", () => {
    const text = "word ".repeat(2_000) + "x".repeat(5_000);
    assertWellFormed(text, splitSentences(text));
  });

  it("upholds its invariants on randomised text", () => {
    // Seeded, so a failing case can be replayed.
    const random = createRng(42).next;
    const tokens = [
      ...["Dr.", "Mr.", "e.g.", "U.S.", "p.m.", "$4.50", "v2.1", "approx.", "No.", "the", "Tank"],
      ...["pipe.", "flows?", "yes!", "(note)", '"quoted."', "é", "e\u0301", "🌊", "水。", "\u00a0"],
      ...[" ", "  ", "\t", "\n", "\n\n", "\r\n", ".", "...", "\u2028"],
    ];
    for (let round = 0; round < 300; round++) {
      const length = Math.floor(random() * 80);
      const text = Array.from({ length }, () => tokens[Math.floor(random() * tokens.length)]).join(
        random() < 0.5 ? " " : "",
      );
      assertWellFormed(text, splitSentences(text));
    }
  });
});

function assertWellFormed(text: string, spans: { start: number; end: number }[]): void {
  let previousEnd = 0;
  for (const span of spans) {
    expect(span.start).toBeGreaterThanOrEqual(previousEnd);
    expect(span.end).toBeGreaterThan(span.start);
    const sentence = text.slice(span.start, span.end);
    expect(sentence).toBe(sentence.trim());
    expect(sentence).not.toMatch(/[\n\r\u2028]/);
    expect(text.slice(previousEnd, span.start).trim()).toBe("");
    previousEnd = span.end;
  }
  expect(text.slice(previousEnd).trim()).toBe("");
}
