import { describe, expect, it } from "vitest";
import {
  verifyCitation,
  type CitationUnderCheck,
  type StoredEvidence,
} from "../../src/citations/verify.ts";
import { sha256 } from "../../src/hash.ts";

const THRESHOLD = 0.76;

const VERSION_TEXT =
  "Acme Plans. The Basic plan is free. The Premium plan costs $8 per month. Refunds take 5 days.";
const CHUNK_TEXT = "The Premium plan costs $8 per month.";
const QUOTE = "costs $8 per month.";

/** An honest citation and the evidence it was taken from, with real hashes and offsets. */
function honest(): { citation: CitationUnderCheck; stored: StoredEvidence } {
  const chunkStart = VERSION_TEXT.indexOf(CHUNK_TEXT);
  const quoteStart = VERSION_TEXT.indexOf(QUOTE);
  const versionSha256 = sha256(VERSION_TEXT);
  const chunkSha256 = sha256(CHUNK_TEXT);
  return {
    citation: {
      quote: QUOTE,
      start: quoteStart,
      end: quoteStart + QUOTE.length,
      score: 0.9,
      chunkSha256,
      versionSha256,
    },
    stored: {
      versionText: VERSION_TEXT,
      versionSha256,
      chunk: {
        start: chunkStart,
        end: chunkStart + CHUNK_TEXT.length,
        text: CHUNK_TEXT,
        sha256: chunkSha256,
      },
    },
  };
}

describe("verifyCitation", () => {
  it("pins the fixture's offsets", () => {
    const { citation, stored } = honest();
    expect([stored.chunk.start, stored.chunk.end]).toEqual([36, 72]);
    expect([citation.start, citation.end]).toEqual([53, 72]);
  });

  it("verifies an honest citation", () => {
    const { citation, stored } = honest();
    expect(verifyCitation(citation, stored, THRESHOLD)).toEqual({ verified: true, failures: [] });
  });

  it("reports VERSION_HASH_MISMATCH when the version text changed outside the chunk", () => {
    const { citation, stored } = honest();
    const tampered = { ...stored, versionText: VERSION_TEXT.replace("5 days", "50 days") };
    expect(verifyCitation(citation, tampered, THRESHOLD)).toEqual({
      verified: false,
      failures: ["VERSION_HASH_MISMATCH"],
    });
  });

  it("reports VERSION_HASH_MISMATCH when the stored digest no longer matches the citation's", () => {
    const { citation, stored } = honest();
    const rehashed = { ...citation, versionSha256: sha256("an older version") };
    expect(verifyCitation(rehashed, stored, THRESHOLD).failures).toEqual(["VERSION_HASH_MISMATCH"]);
    const badStored = { ...stored, versionSha256: sha256("an older version") };
    expect(verifyCitation(citation, badStored, THRESHOLD).failures).toEqual([
      "VERSION_HASH_MISMATCH",
    ]);
  });

  it("reports CHUNK_HASH_MISMATCH alone when only a chunk digest is wrong", () => {
    const { citation, stored } = honest();
    const badStored = { ...stored, chunk: { ...stored.chunk, sha256: sha256("other") } };
    expect(verifyCitation(citation, badStored, THRESHOLD).failures).toEqual([
      "CHUNK_HASH_MISMATCH",
    ]);
    const badCitation = { ...citation, chunkSha256: sha256("other") };
    expect(verifyCitation(badCitation, stored, THRESHOLD).failures).toEqual([
      "CHUNK_HASH_MISMATCH",
    ]);
  });

  it("reports CHUNK_HASH_MISMATCH and CHUNK_OFFSETS_MISMATCH when the chunk text changed", () => {
    const { citation, stored } = honest();
    const tampered = {
      ...stored,
      chunk: { ...stored.chunk, text: CHUNK_TEXT.replace("$8", "$9") },
    };
    expect(verifyCitation(citation, tampered, THRESHOLD)).toEqual({
      verified: false,
      failures: ["CHUNK_HASH_MISMATCH", "CHUNK_OFFSETS_MISMATCH"],
    });
  });

  it("still reports both when the changed chunk was re-hashed but the citation was not", () => {
    const { citation, stored } = honest();
    const text = CHUNK_TEXT.replace("$8", "$9");
    const tampered = { ...stored, chunk: { ...stored.chunk, text, sha256: sha256(text) } };
    expect(verifyCitation(citation, tampered, THRESHOLD).failures).toEqual([
      "CHUNK_HASH_MISMATCH",
      "CHUNK_OFFSETS_MISMATCH",
    ]);
  });

  it("reports CHUNK_OFFSETS_MISMATCH alone when the chunk's offsets moved", () => {
    const { citation, stored } = honest();
    // Wider on the left, so the quote still lies inside, but the slice is no longer the chunk.
    const moved = { ...stored, chunk: { ...stored.chunk, start: stored.chunk.start - 1 } };
    expect(verifyCitation(citation, moved, THRESHOLD).failures).toEqual(["CHUNK_OFFSETS_MISMATCH"]);
  });

  it("reports QUOTE_OUTSIDE_CHUNK when the quote starts before the chunk", () => {
    const { citation, stored } = honest();
    const quoteStart = VERSION_TEXT.indexOf("free.");
    const outside = {
      ...citation,
      start: quoteStart,
      end: quoteStart + "free.".length,
      quote: "free.",
    };
    expect(verifyCitation(outside, stored, THRESHOLD)).toEqual({
      verified: false,
      failures: ["QUOTE_OUTSIDE_CHUNK"],
    });
  });

  it("reports QUOTE_OUTSIDE_CHUNK when the quote runs one unit past the chunk's end", () => {
    const { citation, stored } = honest();
    const over = {
      ...citation,
      end: citation.end + 1,
      quote: VERSION_TEXT.slice(citation.start, citation.end + 1),
    };
    expect(over.quote).toBe("costs $8 per month. ");
    expect(verifyCitation(over, stored, THRESHOLD).failures).toEqual(["QUOTE_OUTSIDE_CHUNK"]);
  });

  it("accepts a quote that is exactly the whole chunk", () => {
    const { citation, stored } = honest();
    const whole = {
      ...citation,
      start: stored.chunk.start,
      end: stored.chunk.end,
      quote: CHUNK_TEXT,
    };
    expect(verifyCitation(whole, stored, THRESHOLD).verified).toBe(true);
  });

  it("rejects an empty quote (start === end) as outside the chunk", () => {
    const { citation, stored } = honest();
    const empty = { ...citation, end: citation.start, quote: "" };
    expect(verifyCitation(empty, stored, THRESHOLD).failures).toEqual(["QUOTE_OUTSIDE_CHUNK"]);
  });

  it("reports QUOTE_MISMATCH when the quote differs from the text at its offsets", () => {
    const { citation, stored } = honest();
    const altered = { ...citation, quote: "costs $0 per month." };
    expect(verifyCitation(altered, stored, THRESHOLD)).toEqual({
      verified: false,
      failures: ["QUOTE_MISMATCH"],
    });
    const shifted = { ...citation, start: citation.start - 1, end: citation.end - 1 };
    expect(verifyCitation(shifted, stored, THRESHOLD).failures).toEqual(["QUOTE_MISMATCH"]);
  });

  it("reports BELOW_THRESHOLD when support is under the threshold", () => {
    const { citation, stored } = honest();
    expect(verifyCitation({ ...citation, score: 0.75 }, stored, THRESHOLD)).toEqual({
      verified: false,
      failures: ["BELOW_THRESHOLD"],
    });
  });

  it("accepts a score exactly at the threshold", () => {
    const { citation, stored } = honest();
    expect(verifyCitation({ ...citation, score: THRESHOLD }, stored, THRESHOLD).verified).toBe(
      true,
    );
  });

  it("rejects a NaN score", () => {
    const { citation, stored } = honest();
    expect(verifyCitation({ ...citation, score: Number.NaN }, stored, THRESHOLD).failures).toEqual([
      "BELOW_THRESHOLD",
    ]);
  });

  it("reports every failure at once, in check order", () => {
    const { citation, stored } = honest();
    const versionText = VERSION_TEXT.replace("Premium", "Platinum");
    const chunkText = CHUNK_TEXT.replace("$8", "$9");
    const tamperedStored: StoredEvidence = {
      versionText,
      versionSha256: stored.versionSha256,
      chunk: { ...stored.chunk, text: chunkText },
    };
    const tamperedCitation = {
      ...citation,
      start: 0,
      end: 4,
      quote: "Acne",
      score: 0.1,
    };
    expect(verifyCitation(tamperedCitation, tamperedStored, THRESHOLD)).toEqual({
      verified: false,
      failures: [
        "VERSION_HASH_MISMATCH",
        "CHUNK_HASH_MISMATCH",
        "CHUNK_OFFSETS_MISMATCH",
        "QUOTE_OUTSIDE_CHUNK",
        "QUOTE_MISMATCH",
        "BELOW_THRESHOLD",
      ],
    });
  });

  describe("with non-ASCII text", () => {
    // "é" is one UTF-16 code unit; "☕" is one; "😀" is two (a surrogate pair).
    const versionText = "Café ☕ opens at 8. Our 😀 plan costs €5 per month. Thanks.";
    const chunkText = "Our 😀 plan costs €5 per month.";
    const quote = "costs €5 per month.";
    const chunkStart = 19;
    const quoteStart = 31;

    const evidence = (): { citation: CitationUnderCheck; stored: StoredEvidence } => ({
      citation: {
        quote,
        start: quoteStart,
        end: quoteStart + quote.length,
        score: 0.9,
        chunkSha256: sha256(chunkText),
        versionSha256: sha256(versionText),
      },
      stored: {
        versionText,
        versionSha256: sha256(versionText),
        chunk: {
          start: chunkStart,
          end: chunkStart + chunkText.length,
          text: chunkText,
          sha256: sha256(chunkText),
        },
      },
    });

    it("uses UTF-16 code-unit offsets, as String.prototype.slice does", () => {
      expect(chunkText.length).toBe(31);
      expect(versionText.indexOf(chunkText)).toBe(chunkStart);
      expect(versionText.indexOf(quote)).toBe(quoteStart);
      // Counted in code points the quote would start one earlier: the emoji counts once there.
      expect(Array.from(versionText).slice(30).join("").startsWith(quote)).toBe(true);
      const { citation, stored } = evidence();
      expect(verifyCitation(citation, stored, THRESHOLD)).toEqual({ verified: true, failures: [] });
    });

    it("rejects code-point offsets that are off by the surrogate pair", () => {
      const { citation, stored } = evidence();
      const codePoints = { ...citation, start: quoteStart - 1, end: quoteStart - 1 + 19 };
      expect(verifyCitation(codePoints, stored, THRESHOLD).failures).toEqual(["QUOTE_MISMATCH"]);
      const codePointChunk = {
        ...stored,
        chunk: { ...stored.chunk, end: stored.chunk.end - 1 },
      };
      expect(verifyCitation(citation, codePointChunk, THRESHOLD).failures).toEqual([
        "CHUNK_OFFSETS_MISMATCH",
        "QUOTE_OUTSIDE_CHUNK",
      ]);
    });

    it("hashes the UTF-8 bytes of the text", () => {
      expect(sha256(chunkText)).toBe(sha256(new TextEncoder().encode(chunkText)));
      const { citation, stored } = evidence();
      const nfd = versionText.normalize("NFD");
      expect(nfd).not.toBe(versionText);
      // A Unicode-normalised copy looks the same but is different bytes: it must not verify.
      expect(verifyCitation(citation, { ...stored, versionText: nfd }, THRESHOLD).verified).toBe(
        false,
      );
    });
  });
});
