import canonicalize from "canonicalize";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/ledger/canonical-json.ts";

// Characters that test the ordering and the escapes: controls, quotes, non-ASCII on both sides
// of the surrogate range, and a pair (an emoji), whose code units sort below U+FB33.
const ALPHABET = [...'abZ1\r\n"\\\u0000\u0080\u00f6\u20ac\ufb33 ', "\ud83d\ude00"];
const text = fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 6 });
const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
/** JSON values, and Dates (written by their toJSON), nested a few levels. */
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    number,
    text,
    fc.date({ noInvalidDate: true }),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(text, tie("value"), { maxKeys: 5, noNullPrototype: true }),
  ),
}));

describe("canonicalJson against the canonicalize package", () => {
  it("writes the same RFC 8785 text for a thousand random values", () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(canonicalize(v));
      }),
      { numRuns: 1000, seed: 8785 },
    );
  });

  it("writes text that parses back to the value, key order aside", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(JSON.parse(canonicalJson(v))).toEqual(v);
      }),
      { numRuns: 300, seed: 17 },
    );
  });

  it("refuses a lone surrogate in a key as in a value", () => {
    expect(() => canonicalJson({ a: { "\udc00": 1 } })).toThrow(
      /\$\.a has a key with a lone surrogate/,
    );
    expect(() => canonicalJson({ a: ["ok", "\ud800x"] })).toThrow(
      /\$\.a\[1\] holds a lone surrogate/,
    );
  });
});
