import { describe, expect, it } from "vitest";
import { dropsQualifier, negationDiffers } from "../../src/scoring/qualifiers.ts";
import { NEGATION_FACTOR, QUALIFIER_FACTOR, supportScore } from "../../src/scoring/support.ts";

describe("near-miss markers", () => {
  it("sees a negation on one side only", () => {
    const q = 'When did the court find that the use of "SkyDrive" did not infringe the trademark?';
    expect(negationDiffers(q, 'The court found that the use of "SkyDrive" infringed it.')).toBe(
      true,
    );
    expect(negationDiffers("What is available as a module?", "They aren't available.")).toBe(true);
    expect(negationDiffers(q, "The court found that it did not infringe.")).toBe(false);
    expect(negationDiffers("Who founded Acme?", "Jane Doe founded Acme.")).toBe(false);
    // "note" and "nothing" are not negations of the claim at hand.
    expect(negationDiffers("Who wrote the note?", "Jane wrote the note.")).toBe(false);
  });

  it("sees a qualifier the sentence drops", () => {
    const q = "What is the second-busiest airport in the world?";
    expect(dropsQualifier(q, "It is the busiest airport in the United States.")).toBe(true);
    expect(dropsQualifier(q, "It is the second-busiest airport in the world.")).toBe(false);
    expect(dropsQualifier("Who was the first king?", "The First King was Alfred.")).toBe(false);
    expect(dropsQualifier("Who was king?", "The first king was Alfred.")).toBe(false);
  });

  it("lowers the support score by their factors, and not for a claim", () => {
    const signals = {
      sentenceCoverage: 1,
      chunkCoverage: 1,
      denseSimilarity: 1,
      entityCoverage: null,
      answerTypeMatch: null,
    };
    const clean = supportScore({ ...signals, nearMiss: { negation: false, qualifier: false } });
    expect(supportScore({ ...signals, nearMiss: null })).toBe(clean);
    expect(
      supportScore({ ...signals, nearMiss: { negation: true, qualifier: false } }),
    ).toBeCloseTo(clean * NEGATION_FACTOR, 12);
    expect(supportScore({ ...signals, nearMiss: { negation: true, qualifier: true } })).toBeCloseTo(
      clean * NEGATION_FACTOR * QUALIFIER_FACTOR,
      12,
    );
  });
});

describe("qualifier classes", () => {
  it("accepts another word for the same extreme, never another rank", () => {
    expect(dropsQualifier("Biggest file I may upload?", "The maximum size is 50 GB.")).toBe(false);
    expect(dropsQualifier("What is the lowest price?", "The minimum price is $8.")).toBe(false);
    expect(dropsQualifier("What is the lowest price?", "The highest price is $18.")).toBe(true);
    expect(dropsQualifier("Who came second?", "Jane came first.")).toBe(true);
  });
});
