import { describe, expect, it } from "vitest";
import { normaliseText } from "../../ingest/normalise.ts";
import { createRng } from "../../src/rng.ts";

describe("normaliseText", () => {
  it("composes to NFC", () => {
    expect(normaliseText("Cafe\u0301 re\u0301sume\u0301")).toBe("Café résumé");
  });

  it("turns CRLF and lone CR into LF", () => {
    expect(normaliseText("one\r\ntwo\rthree")).toBe("one\ntwo\nthree");
  });

  it("turns non-breaking and other Unicode spaces into plain spaces and collapses runs", () => {
    expect(normaliseText("0.5\u00a0microns,\u2009thin\u3000space\t\tand  tabs")).toBe(
      "0.5 microns, thin space and tabs",
    );
  });

  it("removes trailing spaces on lines but keeps line structure", () => {
    expect(normaliseText("Heading   \nLine two\t\nLine three")).toBe(
      "Heading\nLine two\nLine three",
    );
  });

  it("reduces three or more newlines, including blank lines of spaces, to one blank line", () => {
    expect(normaliseText("Block one\n\n\n\nBlock two\n  \n \t \nBlock three")).toBe(
      "Block one\n\nBlock two\n\nBlock three",
    );
  });

  it("trims the whole text and drops invisible zero-width characters and a BOM", () => {
    expect(normaliseText("\ufeff \n Start\u200bed here. \n\n ")).toBe("Started here.");
  });

  it("treats form feeds and paragraph separators as block breaks", () => {
    expect(normaliseText("Page one\fPage two\u2029Para\u2028line")).toBe(
      "Page one\n\nPage two\n\nPara\nline",
    );
  });

  it("returns an empty string for whitespace-only input", () => {
    expect(normaliseText(" \t\r\n\u00a0\n ")).toBe("");
  });

  it("is idempotent on tricky and randomised input", () => {
    const tricky = [
      "e\u200b\u0301 composes only after the zero-width space goes",
      " \r\n\r\n\r\n x \u00a0 \n\u2029\f\v y ",
      "\u0301 leading combining mark",
    ];
    const pieces = [
      ...["a", "B", "é", "e", "\u0301", "\u0327", "🌊", "水", ".", " ", "  ", "\t", "\n"],
      ...["\n\n\n", "\r", "\r\n", "\u00a0", "\u2009", "\u3000", "\u200b", "\ufeff", "\f", "\u2028"],
    ];
    // Seeded, so a failing case can be replayed.
    const random = createRng(7).next;
    const randomised = Array.from({ length: 500 }, () =>
      Array.from({ length: 40 }, () => pieces[Math.floor(random() * pieces.length)]).join(""),
    );
    for (const input of [...tricky, ...randomised]) {
      const once = normaliseText(input);
      expect(normaliseText(once)).toBe(once);
      expect(once).not.toMatch(/\r|\n{3,}| \n|[ \t]{2,}|\t|\u00a0/);
      expect(once).toBe(once.trim());
    }
  });
});
