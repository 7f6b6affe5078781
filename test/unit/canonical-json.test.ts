import canonicalize from "canonicalize";
import { describe, expect, it } from "vitest";
import { createRng, type Rng } from "../../lab/shared/rng.ts";
import { canonicalJson } from "../../src/ledger/canonical-json.ts";

// Characters that test the ordering and the escapes: controls, quotes, non-ASCII on both sides
// of the surrogate range, and a pair (an emoji), whose code units sort below U+FB33.
const ALPHABET = [
  "a",
  "b",
  "Z",
  "1",
  "\r",
  "\n",
  '"',
  "\\",
  "\u0000",
  "\u0080",
  "\u00f6",
  "\u20ac",
  "\ufb33",
  "\ud83d\ude00",
  " ",
];

function randomString(rng: Rng): string {
  return Array.from({ length: rng.int(6) }, () => ALPHABET[rng.int(ALPHABET.length)]).join("");
}

function randomNumber(rng: Rng): number {
  const kinds = [
    () => rng.int(1000) - 500,
    () => rng.gaussian() * 10 ** (rng.int(40) - 20),
    () => -0,
    () => Number.MAX_SAFE_INTEGER,
    () => 1e21 * (1 + rng.next()),
    () => rng.next() * 1e-7,
  ];
  return kinds[rng.int(kinds.length)]!();
}

function randomValue(rng: Rng, depth: number): unknown {
  const kind = rng.int(depth > 3 ? 4 : 7);
  if (kind === 0) return null;
  if (kind === 1) return rng.next() < 0.5;
  if (kind === 2) return randomNumber(rng);
  if (kind === 3) return randomString(rng);
  if (kind === 4) return new Date(Math.floor(rng.next() * 2e12));
  if (kind === 5) return Array.from({ length: rng.int(5) }, () => randomValue(rng, depth + 1));
  return Object.fromEntries(
    Array.from({ length: rng.int(6) }, () => [randomString(rng), randomValue(rng, depth + 1)]),
  );
}

describe("canonicalJson against the canonicalize package", () => {
  it("writes the same RFC 8785 text for a thousand random JSON values", () => {
    const rng = createRng(8785);
    for (let i = 0; i < 1000; i++) {
      const value = randomValue(rng, 0);
      expect(canonicalJson(value), JSON.stringify(value)).toBe(canonicalize(value));
    }
  });

  it("writes text that parses back to the value, key order aside", () => {
    const rng = createRng(17);
    for (let i = 0; i < 200; i++) {
      const value = JSON.parse(JSON.stringify(randomValue(rng, 0))) as unknown;
      expect(JSON.parse(canonicalJson(value))).toEqual(value);
    }
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
