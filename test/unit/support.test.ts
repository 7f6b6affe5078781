import { describe, expect, it } from "vitest";
import {
  ANSWER_TYPE_FACTOR,
  ENTITY_PENALTY,
  coverage,
  entityCoverage,
  supportScore,
  termMatch,
  type SupportSignals,
} from "../../src/scoring/support.ts";
import type { QueryTerm, QueryTerms } from "../../src/retrieval/lexical.ts";
import { queryTerm } from "../support/query-terms.ts";

const term = queryTerm;

function query(...terms: QueryTerm[]): QueryTerms {
  return { terms, chunkCount: 100, avgLength: 50 };
}

const none = new Set<string>();

function signals(overrides: Partial<SupportSignals> = {}): SupportSignals {
  return {
    sentenceCoverage: 0.8,
    chunkCoverage: 0.6,
    denseSimilarity: 0.5,
    entityCoverage: null,
    answerTypeMatch: null,
    nearMiss: null,
    ...overrides,
  };
}

describe("coverage", () => {
  const q = query(term("refund", 3), term("get", 1));

  it("is the weighted share of the question's terms present", () => {
    expect(coverage(q, new Set(["refund"]))).toBe(0.75);
    expect(coverage(q, new Set(["get"]))).toBe(0.25);
    expect(coverage(q, new Set(["refund", "get", "unrelated"]))).toBe(1);
  });

  it("is zero when no term is present", () => {
    expect(coverage(q, new Set(["unrelated"]))).toBe(0);
    expect(coverage(q, none)).toBe(0);
  });

  it("is zero for a question without terms or without weight", () => {
    expect(coverage(query(), new Set(["refund"]))).toBe(0);
    expect(coverage(query(term("refund", 0)), new Set(["refund"]))).toBe(0);
  });

  it("matches lexemes exactly", () => {
    expect(coverage(q, new Set(["refunds", "Refund"]))).toBe(0);
  });
});

describe("coverage in other words", () => {
  /** A term whose paraphrases earn part of its weight: "price" stated as "cost" or "fee". */
  const worded = (lexeme: string, weight: number, paraphrases: [string, number][]) => ({
    ...term(lexeme, weight),
    paraphrases: new Map(paraphrases),
  });
  const price = worded("price", 3, [
    ["cost", 0.8],
    ["fee", 0.5],
  ]);
  const q = query(price, term("basic", 1));

  it("credits a paraphrase its share of the term, the literal word in full", () => {
    expect(termMatch(price, new Set(["price"]))).toBe(1);
    expect(termMatch(price, new Set(["cost"]))).toBe(0.8);
    expect(termMatch(price, new Set(["fee"]))).toBe(0.5);
    expect(termMatch(price, new Set(["basic"]))).toBe(0);
  });

  it("takes the best match the evidence offers", () => {
    expect(termMatch(price, new Set(["fee", "cost"]))).toBe(0.8);
    expect(termMatch(price, new Set(["fee", "cost", "price"]))).toBe(1);
  });

  it("reads a sentence's lexeme positions as well as a set", () => {
    const positions = new Map([
      ["basic", [1]],
      ["cost", [3]],
    ]);
    expect(termMatch(price, positions)).toBe(0.8);
    // (3 * 0.8 + 1 * 1) / 4
    expect(coverage(q, positions)).toBeCloseTo(0.85, 12);
  });

  it("weighs the partial credit by the term's weight", () => {
    // "The Basic plan costs $8": the rarer term is said in other words.
    expect(coverage(q, new Set(["basic", "cost"]))).toBeCloseTo((3 * 0.8 + 1) / 4, 12);
    expect(coverage(q, new Set(["basic", "fee"]))).toBeCloseTo((3 * 0.5 + 1) / 4, 12);
    expect(coverage(q, new Set(["basic", "price"]))).toBe(1);
    expect(coverage(q, new Set(["cost"]))).toBeCloseTo(0.6, 12);
  });

  it("credits a paraphrase of one term to that term only", () => {
    // "cost" says "price", not "basic": a term without paraphrases needs its own word.
    expect(coverage(q, new Set(["cost"]))).toBeLessThan(coverage(q, new Set(["price"])));
    expect(termMatch(term("basic", 1), new Set(["cost", "price"]))).toBe(0);
  });

  it("lets a name stated in other words count towards entity coverage", () => {
    const thirty = { ...worded("thirti", 2, [["30", 1]]), entity: true };
    expect(entityCoverage(query(thirty, term("day", 1)), new Set(["30", "day"]), none)).toBe(1);
  });
});

describe("entityCoverage", () => {
  const q = query(term("premium", 3, true), term("2024", 1, true), term("plan", 10));

  it("is null when the question has no names or numbers", () => {
    expect(entityCoverage(query(term("plan", 1), term("cost", 2)), new Set(["plan"]), none)).toBe(
      null,
    );
    expect(entityCoverage(query(), none, none)).toBe(null);
  });

  it("weighs entities only, ignoring ordinary terms", () => {
    expect(entityCoverage(q, new Set(["premium"]), none)).toBe(0.75);
    expect(entityCoverage(q, new Set(["2024"]), none)).toBe(0.25);
    expect(entityCoverage(q, new Set(["plan"]), none)).toBe(0);
  });

  it("counts entities found in the context (title, source name)", () => {
    expect(entityCoverage(q, none, new Set(["premium"]))).toBe(0.75);
    expect(entityCoverage(q, new Set(["2024"]), new Set(["premium"]))).toBe(1);
    expect(entityCoverage(q, new Set(["premium"]), new Set(["premium"]))).toBe(0.75);
  });

  it("is one when the only entities weigh nothing", () => {
    expect(entityCoverage(query(term("acme", 0, true)), none, none)).toBe(1);
  });
});

describe("supportScore", () => {
  it("combines sentence, chunk and dense coverage with weights 0.7, 0.15, 0.15", () => {
    expect(
      supportScore(signals({ sentenceCoverage: 1, chunkCoverage: 0, denseSimilarity: 0 })),
    ).toBeCloseTo(0.7, 12);
    expect(
      supportScore(signals({ sentenceCoverage: 0, chunkCoverage: 1, denseSimilarity: 0 })),
    ).toBeCloseTo(0.15, 12);
    expect(
      supportScore(signals({ sentenceCoverage: 0, chunkCoverage: 0, denseSimilarity: 1 })),
    ).toBeCloseTo(0.15, 12);
    // 0.7 * 0.5 + 0.15 * 1 + 0.15 * 0.4
    expect(
      supportScore(signals({ sentenceCoverage: 0.5, chunkCoverage: 1, denseSimilarity: 0.4 })),
    ).toBeCloseTo(0.56, 12);
  });

  it("is 1 for perfect evidence and 0 for none", () => {
    const perfect = signals({
      sentenceCoverage: 1,
      chunkCoverage: 1,
      denseSimilarity: 1,
      entityCoverage: 1,
      answerTypeMatch: true,
      nearMiss: null,
    });
    expect(supportScore(perfect)).toBeCloseTo(1, 12);
    expect(
      supportScore(signals({ sentenceCoverage: 0, chunkCoverage: 0, denseSimilarity: 0 })),
    ).toBe(0);
  });

  it("ignores negative dense similarity rather than subtracting it", () => {
    const at = (denseSimilarity: number) =>
      supportScore(signals({ sentenceCoverage: 0.5, chunkCoverage: 0.5, denseSimilarity }));
    expect(at(-0.9)).toBe(at(0));
    expect(at(-0.9)).toBeCloseTo(0.425, 12);
  });

  it("stays within [0, 1] over a grid of signals", () => {
    const steps = [0, 0.25, 0.5, 0.75, 1];
    for (const sentenceCoverage of steps)
      for (const chunkCoverage of steps)
        for (const denseSimilarity of [-1, ...steps])
          for (const entity of [null, ...steps])
            for (const answerTypeMatch of [null, true, false]) {
              const score = supportScore({
                sentenceCoverage,
                chunkCoverage,
                denseSimilarity,
                entityCoverage: entity,
                answerTypeMatch,
                nearMiss: null,
              });
              expect(score).toBeGreaterThanOrEqual(0);
              expect(score).toBeLessThanOrEqual(1 + 1e-12);
            }
  });

  it("loses up to half the score as the question's entities go missing", () => {
    expect(ENTITY_PENALTY).toBe(0.5);
    const base = supportScore(signals());
    // 0.7 * 0.8 + 0.15 * 0.6 + 0.15 * 0.5
    expect(base).toBeCloseTo(0.725, 12);
    expect(supportScore(signals({ entityCoverage: 1 }))).toBe(base);
    expect(supportScore(signals({ entityCoverage: 0.5 }))).toBeCloseTo(base * 0.75, 12);
    expect(supportScore(signals({ entityCoverage: 0 }))).toBeCloseTo(base * 0.5, 12);
    const byEntity = [1, 0.75, 0.5, 0.25, 0].map((e) =>
      supportScore(signals({ entityCoverage: e })),
    );
    for (let i = 1; i < byEntity.length; i++) expect(byEntity[i]).toBeLessThan(byEntity[i - 1]!);
  });

  it("scales by the answer-type factor only when the sentence states the wrong kind", () => {
    expect(ANSWER_TYPE_FACTOR).toBe(0.6);
    const base = supportScore(signals());
    expect(supportScore(signals({ answerTypeMatch: true }))).toBe(base);
    expect(supportScore(signals({ answerTypeMatch: false }))).toBeCloseTo(base * 0.6, 12);
    const both = supportScore(signals({ answerTypeMatch: false, entityCoverage: 0 }));
    expect(both).toBeCloseTo(base * 0.6 * 0.5, 12);
    expect(both).toBeLessThan(supportScore(signals({ entityCoverage: 0 })));
  });

  it("rises with each coverage signal", () => {
    const by = (s: Partial<SupportSignals>) => supportScore(signals(s));
    expect(by({ sentenceCoverage: 0.9 })).toBeGreaterThan(by({ sentenceCoverage: 0.8 }));
    expect(by({ chunkCoverage: 0.7 })).toBeGreaterThan(by({ chunkCoverage: 0.6 }));
    expect(by({ denseSimilarity: 0.6 })).toBeGreaterThan(by({ denseSimilarity: 0.5 }));
  });
});

describe("a near miss: the right words about the wrong plan", () => {
  // "How much does the Premium plan cost?"
  const q = query(term("premium", 6, true), term("plan", 2), term("cost", 2));
  const basic = new Set(["basic", "plan", "cost"]); // "The Basic plan costs $4."
  const premium = new Set(["premium", "plan", "cost"]); // "The Premium plan costs $8."

  const score = (sentence: Set<string>, context: Set<string> = none) =>
    supportScore({
      sentenceCoverage: coverage(q, sentence),
      chunkCoverage: coverage(q, sentence),
      denseSimilarity: 0.8,
      entityCoverage: entityCoverage(q, sentence, context),
      answerTypeMatch: true,
      nearMiss: null,
    });

  it("scores the sentence about the asked-for plan higher", () => {
    expect(coverage(q, basic)).toBe(0.4);
    expect(entityCoverage(q, basic, none)).toBe(0);
    // (0.7 * 0.4 + 0.15 * 0.4 + 0.15 * 0.8) * 0.5
    expect(score(basic)).toBeCloseTo(0.23, 12);
    // 0.7 + 0.15 + 0.15 * 0.8
    expect(score(premium)).toBeCloseTo(0.97, 12);
    expect(score(basic)).toBeLessThan(score(premium));
  });

  it("still ranks it lower when the document title mentions the asked-for plan", () => {
    const titled = score(basic, new Set(["premium", "pricing"]));
    // The title lifts the entity penalty but not the missing coverage.
    expect(titled).toBeCloseTo(0.46, 12);
    expect(titled).toBeLessThan(score(premium));
  });
});
