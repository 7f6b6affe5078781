import { describe, expect, it } from "vitest";
import { selectSentences, withCopies } from "../../src/answer/select.ts";
import type { ScoredSentence } from "../../src/scoring/evidence.ts";
import { Policy } from "../../src/answer/policy.ts";
import type { Candidate } from "../../src/retrieval/retrieve.ts";

const policy = (overrides: Partial<Policy> = {}): Policy =>
  Policy.parse({ threshold: 0.5, maxSentences: 3, companionMargin: 0.1, ...overrides });

let offset = 0;
/** A scored sentence; only text and score matter to selection, and its document to copies. */
function sentence(text: string, score: number, documentId = "doc_test"): ScoredSentence {
  const start = offset;
  offset += text.length + 1;
  return {
    candidate: { chunkId: `chk_${documentId}`, documentId } as Candidate,
    start,
    end: start + text.length,
    text,
    quote: text,
    kind: "sentence",
    signals: {
      sentenceCoverage: score,
      chunkCoverage: score,
      denseSimilarity: score,
      entityCoverage: null,
      answerTypeMatch: null,
      nearMiss: null,
    },
    lexemes: new Map(),
    heuristicScore: score,
    heuristicRank: 0,
    score,
  };
}

const texts = (chosen: ScoredSentence[]) => chosen.map((s) => s.text);

describe("selectSentences", () => {
  it("selects nothing from nothing", () => {
    expect(selectSentences([], policy())).toEqual([]);
  });

  it("always keeps the best sentence first, even below the threshold", () => {
    // The caller refuses before selecting when the best is too weak; selection itself keeps it.
    const best = sentence("Weak but best.", 0.3);
    expect(selectSentences([best, sentence("Weaker.", 0.29)], policy())).toEqual([best]);
    const strong = sentence("Strong.", 0.9);
    expect(selectSentences([strong], policy())[0]).toBe(strong);
  });

  it("adds companions within the margin of the best and above the threshold", () => {
    const scored = [
      sentence("Best.", 0.9),
      sentence("Close.", 0.85),
      sentence("At the margin.", 0.8),
      sentence("Too far.", 0.79),
    ];
    expect(texts(selectSentences(scored, policy({ maxSentences: 10 })))).toEqual([
      "Best.",
      "Close.",
      "At the margin.",
    ]);
  });

  it("drops companions below the threshold even within the margin", () => {
    const scored = [sentence("Best.", 0.55), sentence("Close.", 0.52), sentence("Under.", 0.49)];
    expect(texts(selectSentences(scored, policy({ threshold: 0.5 })))).toEqual(["Best.", "Close."]);
    expect(texts(selectSentences(scored, policy({ threshold: 0.53 })))).toEqual(["Best."]);
  });

  it("keeps a companion exactly at the threshold", () => {
    const scored = [sentence("Best.", 0.55), sentence("At threshold.", 0.5)];
    expect(texts(selectSentences(scored, policy({ threshold: 0.5 })))).toEqual([
      "Best.",
      "At threshold.",
    ]);
  });

  it("respects maxSentences", () => {
    const scored = [0.9, 0.89, 0.88, 0.87, 0.86].map((score, i) => sentence(`S${i}.`, score));
    expect(texts(selectSentences(scored, policy({ maxSentences: 3 })))).toEqual([
      "S0.",
      "S1.",
      "S2.",
    ]);
    expect(texts(selectSentences(scored, policy({ maxSentences: 1 })))).toEqual(["S0."]);
    expect(selectSentences(scored, policy({ maxSentences: 10 }))).toHaveLength(5);
  });

  it("takes only the best when the margin is zero, unless a runner-up ties", () => {
    const scored = [sentence("Best.", 0.9), sentence("Tied.", 0.9), sentence("Next.", 0.89)];
    expect(texts(selectSentences(scored, policy({ companionMargin: 0 })))).toEqual([
      "Best.",
      "Tied.",
    ]);
  });

  it("skips a repeat of a chosen sentence's text and still fills from later ones", () => {
    // The same boilerplate sentence often sits in two chunks or two documents.
    const scored = [
      sentence("Refunds take 5 days.", 0.9),
      sentence("Refunds take 5 days.", 0.9),
      sentence("Contact billing.", 0.86),
      sentence("Contact billing.", 0.85),
      sentence("Keep your receipt.", 0.84),
    ];
    const chosen = selectSentences(scored, policy({ maxSentences: 3 }));
    expect(texts(chosen)).toEqual([
      "Refunds take 5 days.",
      "Contact billing.",
      "Keep your receipt.",
    ]);
    expect(chosen[0]).toBe(scored[0]);
    expect(chosen[1]).toBe(scored[2]);
  });

  it("does not let skipped duplicates count towards maxSentences", () => {
    const scored = [
      sentence("Same.", 0.9),
      sentence("Same.", 0.9),
      sentence("Same.", 0.9),
      sentence("Other.", 0.88),
    ];
    expect(texts(selectSentences(scored, policy({ maxSentences: 2 })))).toEqual([
      "Same.",
      "Other.",
    ]);
  });

  it("skips a sentence that restates a chosen one in more words", () => {
    const scored = [
      sentence("On the Basic plan, deleted files are kept in the trash for 30 days.", 0.9),
      sentence(
        "On the Basic plan, deleted files are kept in the trash for 30 days before they are erased.",
        0.88,
      ),
      sentence("Version history is kept for 90 days.", 0.85),
    ];
    expect(texts(selectSentences(scored, policy()))).toEqual([
      "On the Basic plan, deleted files are kept in the trash for 30 days.",
      "Version history is kept for 90 days.",
    ]);
  });
});

describe("withCopies", () => {
  const RESET = "Password reset links stay valid for 30 minutes and can be used only once.";

  it("cites the same sentence of another document with the chosen one, once", () => {
    const faq = sentence(RESET, 0.9, "doc_faq");
    const handbook = sentence(RESET, 0.9, "doc_handbook");
    const other = sentence("Resetting your password signs you out.", 0.85, "doc_handbook");
    const scored = [faq, handbook, other];
    const groups = withCopies(selectSentences(scored, policy()), scored, 0.5);
    expect(groups).toEqual([
      { sentence: faq, alsoIn: [handbook] },
      { sentence: other, alsoIn: [] },
    ]);
  });

  it("ignores case, spacing and end punctuation, as selection does", () => {
    const chosen = sentence("Files are kept for 30 days.", 0.9, "doc_a");
    const copy = sentence("files are  kept for 30 days", 0.88, "doc_b");
    expect(withCopies([chosen], [chosen, copy], 0.5)).toEqual([
      { sentence: chosen, alsoIn: [copy] },
    ]);
  });

  it("cites each further document once, and never the chosen sentence's own document again", () => {
    const chosen = sentence(RESET, 0.9, "doc_faq");
    const sameDocument = sentence(RESET, 0.9, "doc_faq"); // the FAQ repeats itself in another chunk
    const handbook = sentence(RESET, 0.89, "doc_handbook");
    const handbookAgain = sentence(RESET, 0.88, "doc_handbook");
    const forum = sentence(RESET, 0.87, "doc_forum");
    const scored = [chosen, sameDocument, handbook, handbookAgain, forum];
    const [group] = withCopies([chosen], scored, 0.5);
    expect(group!.alsoIn).toEqual([handbook, forum]);
  });

  it("ignores a copy below the threshold: every citation must clear it by itself", () => {
    const chosen = sentence(RESET, 0.9, "doc_faq");
    const weak = sentence(RESET, 0.49, "doc_handbook");
    expect(withCopies([chosen], [chosen, weak], 0.5)).toEqual([{ sentence: chosen, alsoIn: [] }]);
    expect(withCopies([chosen], [chosen, weak], 0.49)).toEqual([
      { sentence: chosen, alsoIn: [weak] },
    ]);
  });

  it("ignores a sentence that only contains the chosen one", () => {
    const chosen = sentence("Files are kept for 30 days.", 0.9, "doc_a");
    const longer = sentence("Files are kept for 30 days, then erased.", 0.9, "doc_b");
    expect(withCopies([chosen], [chosen, longer], 0.5)).toEqual([{ sentence: chosen, alsoIn: [] }]);
  });

  it("never makes one chosen sentence a copy of another", () => {
    const first = sentence(RESET, 0.9, "doc_faq");
    const second = sentence(RESET, 0.9, "doc_handbook");
    const groups = withCopies([first, second], [first, second], 0.5);
    expect(groups).toEqual([
      { sentence: first, alsoIn: [] },
      { sentence: second, alsoIn: [] },
    ]);
  });

  it("keeps nothing from nothing", () => {
    expect(withCopies([], [sentence(RESET, 0.9)], 0.5)).toEqual([]);
  });
});
