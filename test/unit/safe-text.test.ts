import { describe, expect, it } from "vitest";
import { z } from "zod";
import { normaliseText } from "../../ingest/normalise.ts";
import { safeText, unsafeTextReason } from "../../src/text/safe-text.ts";

describe("unsafeTextReason", () => {
  it("accepts ordinary text, including astral characters (surrogate pairs)", () => {
    expect(unsafeTextReason("How much does the Basic plan cost? 🙂 €8")).toBeNull();
    expect(unsafeTextReason("")).toBeNull();
  });

  it("names a NUL and where it is", () => {
    expect(unsafeTextReason("ab\u0000c")).toBe("contains a NUL character (U+0000) at offset 2");
  });

  it("names lone high and low surrogates, but not a pair", () => {
    expect(unsafeTextReason("x\ud800")).toMatch(/lone surrogate \(U\+D800\) at offset 1/);
    expect(unsafeTextReason("\udc00y")).toMatch(/lone surrogate \(U\+DC00\) at offset 0/);
    expect(unsafeTextReason("\ud83d\ude42")).toBeNull();
    // Reversed halves are two lone surrogates, not a pair.
    expect(unsafeTextReason("\ude42\ud83d")).toMatch(/U\+DE42/);
  });
});

describe("safeText", () => {
  const field = z.object({ q: safeText(z.string().trim().min(3)) });

  it("normalises to NFC after the field's own checks", () => {
    const decomposed = "Cafe\u0301 prices";
    expect(field.parse({ q: `  ${decomposed} ` }).q).toBe("Caf\u00e9 prices");
  });

  it("refuses NUL and lone surrogates, naming the field", () => {
    for (const q of ["abc\u0000", "abc\ud800"]) {
      const result = field.safeParse({ q });
      expect(result.success).toBe(false);
      expect(result.error!.issues[0]!.path).toEqual(["q"]);
    }
  });

  it("still applies the field's own limits", () => {
    expect(field.safeParse({ q: " a " }).success).toBe(false);
  });
});

describe("normaliseText and unstorable characters", () => {
  it("removes NUL, other C0 controls, DEL and lone surrogates, keeping tabs and line breaks", () => {
    const text = normaliseText("a\u0000b\u0001c\u007fd\ud800e\udc00f\tg\nh 🙂");
    expect(text).toBe("abcdef g\nh 🙂");
    expect(unsafeTextReason(text)).toBeNull();
    expect(normaliseText(text)).toBe(text);
  });
});
