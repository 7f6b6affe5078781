import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { acronymsSpelledIn, isAcronym, paraphrasesOf } from "../../src/text/paraphrase.ts";
import { readWordNet } from "../../src/text/wordnet.ts";

// Keys are Porter2 stems, as Postgres's english configuration writes a question's lexemes:
// "thirty" is "thirti", "minutes" "minut", "twelve" "twelv".

describe("exact aliases: numbers, units and bounds count as the word itself, both ways", () => {
  it.each([
    ["thirti", "30"],
    ["twelv", "12"],
    ["thirteen", "13"],
    ["hundr", "100"],
    ["min", "minut"],
    ["hr", "hour"],
    ["gb", "gigabyt"],
    ["minimum", "least"],
    ["maximum", "most"],
  ])("%j and %j", (a, b) => {
    expect(paraphrasesOf(a).get(b)).toBe(1);
    expect(paraphrasesOf(b).get(a)).toBe(1);
  });

  it("says a dozen is twelve", () => {
    expect(paraphrasesOf("dozen").get("12")).toBe(1);
    expect(paraphrasesOf("12").get("dozen")).toBe(1);
  });

  it("never credits a neighbouring number or the opposite bound", () => {
    expect(paraphrasesOf("thirti").has("13")).toBe(false);
    expect(paraphrasesOf("thirteen").has("30")).toBe(false);
    expect(paraphrasesOf("30").has("31")).toBe(false);
    expect(paraphrasesOf("minimum").has("most")).toBe(false);
    expect(paraphrasesOf("maximum").has("least")).toBe(false);
    expect(paraphrasesOf("min").has("hour")).toBe(false);
  });

  it("gives a word no credit for itself", () => {
    for (const lexeme of ["thirti", "30", "minut", "price", "biggest"])
      expect(paraphrasesOf(lexeme).has(lexeme)).toBe(false);
  });
});

describe("WordNet paraphrases of a word's frequent senses", () => {
  it.each([
    ["price", "cost"],
    ["cost", "price"],
    ["length", "long"],
    ["long", "length"],
  ])("%j credits %j, but less than the word itself", (asked, stated) => {
    const credit = paraphrasesOf(asked).get(stated);
    expect(credit).toBeGreaterThan(0);
    expect(credit).toBeLessThan(1);
  });

  it("reads a superlative as its adjective, with the adjective's relations", () => {
    // WordNet lists "big", not "biggest".
    const biggest = paraphrasesOf("biggest");
    expect(biggest.get("big")).toBeGreaterThan(0);
    expect(biggest.get("size")).toBeGreaterThan(0);
    expect(biggest.get("size")).toBeLessThanOrEqual(biggest.get("big")!);
  });

  it("leaves out a rare sense: a number is not an issue of a magazine", () => {
    // WordNet lists "issue" (no. 12 of a magazine) among the senses of "number", far down.
    const number = paraphrasesOf("number");
    expect(number.size).toBeGreaterThan(0);
    expect(number.has("issu")).toBe(false);
  });

  it("credits none of the dozens of adjectives WordNet calls similar to big", () => {
    const big = paraphrasesOf("big");
    // Each is "similar to" large/big; the sense has about fifty such neighbours.
    for (const stem of ["astronom", "bouffant", "puffi", "enorm", "huge"])
      expect(big.has(stem), stem).toBe(false);
  });

  it("credits nothing for a word WordNet does not know", () => {
    expect(paraphrasesOf("xqzvw").size).toBe(0);
  });
});

/**
 * A WordNet of a few synsets in the package's file format, so that what is credited and what
 * is left out does not hang on the real dictionary's contents.
 */
describe("readWordNet on a small dictionary", () => {
  const dir = mkdtempSync(join(tmpdir(), "verity-wordnet-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const offset = (n: number) => String(n).padStart(8, "0");
  const synset = (n: number, words: string[], pointers: [string, number][]) =>
    [
      offset(n),
      "06 n",
      words.length.toString(16).padStart(2, "0"),
      ...words.map((w) => `${w} 0`),
      String(pointers.length).padStart(3, "0"),
      ...pointers.map(([symbol, to]) => `${symbol} ${offset(to)} n 0000`),
      "| a gloss",
    ].join(" ");
  // Thirty kinds of "thing": a relation that fans out this far says nothing specific.
  const kinds = Array.from({ length: 30 }, (_, i) => `gizmo${String.fromCharCode(97 + i)}`);
  const nouns = [
    synset(
      10,
      ["hub", "nave"],
      [
        ["@", 20],
        ["~", 31],
        ["~", 32],
        ["~", 33],
      ],
    ),
    synset(20, ["part"], []),
    synset(31, ["cog"], []),
    synset(32, ["rim"], []),
    synset(33, ["bolt"], []),
    synset(
      40,
      ["thing"],
      kinds.map((_, i) => ["~", 100 + i]),
    ),
    ...kinds.map((k, i) => synset(100 + i, [k], [])),
    synset(50, ["hub", "focus"], []),
    synset(60, ["widget", "gadget"], []),
    synset(70, ["widget", "doodad"], []),
    synset(80, ["widget", "contraption"], []),
  ];
  // lemma pos synset_cnt p_cnt [ptr...] sense_cnt tagsense_cnt offsets (most frequent first)
  const index = [
    `hub n 2 2 @ ~ 2 1 ${offset(10)} ${offset(50)}`,
    `thing n 1 1 ~ 1 1 ${offset(40)}`,
    `widget n 3 0 3 2 ${offset(60)} ${offset(70)} ${offset(80)}`,
  ];
  mkdirSync(dir, { recursive: true });
  for (const pos of ["adj", "adv", "verb"]) {
    writeFileSync(join(dir, `data.${pos}`), "  licence header\n");
    writeFileSync(join(dir, `index.${pos}`), "  licence header\n");
  }
  writeFileSync(join(dir, "data.noun"), `  licence header\n${nouns.join("\n")}\n`);
  writeFileSync(join(dir, "index.noun"), `  licence header\n${index.join("\n")}\n`);
  const wn = readWordNet(dir);

  it("credits synonyms, a hypernym and a few hyponyms of the first sense, synonyms most", () => {
    const hub = wn.paraphrasesOf("hub");
    for (const stem of ["nave", "part", "cog", "rim", "bolt"])
      expect(hub.has(stem), stem).toBe(true);
    expect(hub.get("nave")!).toBeGreaterThan(hub.get("part")!);
    expect(hub.get("part")!).toBeLessThan(1);
  });

  it("leaves out a sense the tagged corpus never saw", () => {
    // "hub" was tagged once: only its first sense counts, not "hub of activity" (focus).
    expect(wn.paraphrasesOf("hub").has("focus")).toBe(false);
  });

  it("reads as many senses as were tagged, up to the most frequent two", () => {
    const widget = wn.paraphrasesOf("widget");
    expect(widget.has("gadget")).toBe(true);
    expect(widget.has("doodad")).toBe(true);
    expect([...widget.keys()].some((s) => s.startsWith("contrapt"))).toBe(false);
  });

  it("credits none of thirty kinds: a relation that fans out that far is too diffuse", () => {
    const thing = wn.paraphrasesOf("thing");
    expect([...thing.keys()].filter((s) => s.startsWith("gizmo"))).toEqual([]);
  });
});

describe("acronyms", () => {
  it.each(["2FA", "SLA", "TOTP", "SSO"])("reads %j as an acronym", (surface) => {
    expect(isAcronym(surface)).toBe(true);
  });

  it.each(["Basic", "2fa", "A1", "AES256X", "42"])("does not read %j as one", (surface) => {
    expect(isAcronym(surface)).toBe(false);
  });

  it("finds the acronyms a text spells out by initials, a number word by its digit", () => {
    const wanted = new Set(["2fa", "sla", "sso"]);
    expect(acronymsSpelledIn("Turn on two-factor authentication in Settings.", wanted)).toEqual(
      new Set(["2fa"]),
    );
    expect(acronymsSpelledIn("The Service Level Agreement applies.", wanted)).toEqual(
      new Set(["sla"]),
    );
    expect(
      acronymsSpelledIn("Single sign-on and two-factor authentication are on Team.", wanted),
    ).toEqual(new Set(["sso", "2fa"]));
  });

  it("needs the initials in a row, and only looks for the acronyms asked for", () => {
    expect(acronymsSpelledIn("two kinds of factor authentication", new Set(["2fa"]))).toEqual(
      new Set(),
    );
    expect(acronymsSpelledIn("two-factor authentication", new Set(["sla"]))).toEqual(new Set());
    expect(acronymsSpelledIn("two-factor authentication", new Set())).toEqual(new Set());
  });
});
