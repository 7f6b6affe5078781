import { describe, expect, it } from "vitest";
import { parseTsvector } from "../../src/retrieval/tsvector-text.ts";

// Text forms as PostgreSQL prints them (`::tsvector::text`): quotes and backslashes inside a
// lexeme doubled, positions with optional weights, a lexeme with no positions bare.
describe("parseTsvector", () => {
  it("counts each lexeme's positions", () => {
    expect(parseTsvector("'cat':2,5 'path':7 'whisker':4")).toEqual(
      new Map([
        ["cat", 2],
        ["path", 1],
        ["whisker", 1],
      ]),
    );
    expect(parseTsvector("'a':1,2,3A 'b':4B,5")).toEqual(
      new Map([
        ["a", 3],
        ["b", 2],
      ]),
    );
  });

  it("undoes doubled quotes and backslashes, and keeps lexemes without positions", () => {
    expect(parseTsvector("'a\\\\b':1,2A 'it''s' 'plain':3 'x:y' 'end'''")).toEqual(
      new Map([
        ["a\\b", 2],
        ["it's", 0],
        ["plain", 1],
        ["x:y", 0],
        ["end'", 0],
      ]),
    );
  });

  it("reads an empty tsvector as no lexemes", () => {
    expect(parseTsvector("")).toEqual(new Map());
  });
});
