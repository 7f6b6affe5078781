import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { Answer } from "../../src/answer/schema.ts";
import { documentVersions } from "../../src/db/schema/index.ts";
import { storeKinds } from "../support/databases.ts";
import { useRealEncoder } from "../support/encoder.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";

const encoder = useRealEncoder();

/** A policy with the default threshold and a hand-written confidence map for questions. */
const CALIBRATED = new URL("../fixtures/policy/calibrated.json", import.meta.url).pathname;
const POINTS = (
  JSON.parse(readFileSync(CALIBRATED, "utf8")) as {
    confidence: { question: { points: [number, number][] } };
  }
).confidence.question.points;

/** The map applied by hand: linear between its points, the nearest end's value outside them. */
function mapped(points: [number, number][], score: number): number {
  const [firstScore, firstP] = points[0]!;
  const [lastScore, lastP] = points[points.length - 1]!;
  if (score <= firstScore) return firstP;
  if (score >= lastScore) return lastP;
  for (let i = 1; i < points.length; i++) {
    const [s1, p1] = points[i]!;
    const [s0, p0] = points[i - 1]!;
    if (score <= s1) return p0 + ((score - s0) / (s1 - s0)) * (p1 - p0);
  }
  throw new Error("unreachable: the score lies between the map's ends");
}

/** Where a citation quotes its version: two citations of one sentence share it. */
const spanOf = (c: Answer["citations"][number]) => `${c.versionId}:${c.start}-${c.end}`;

/** Citations of the sentences a part lists. */
function citationsOfPart(answer: Answer, part: Answer["parts"][number]) {
  const ids = new Set(part.sentenceIndexes.flatMap((i) => answer.sentences[i]!.citationIds));
  return answer.citations.filter((c) => ids.has(c.id));
}

function expectRefusedWithNothing(answer: Answer) {
  expect(answer.status).toBe("refused");
  expect(answer.answer).toBeNull();
  expect(answer.sentences).toEqual([]);
  expect(answer.citations).toEqual([]);
  expect(answer.support).toBeNull();
  expect(answer.confidence).toBeNull();
  expect(answer.reason?.message.length).toBeGreaterThan(10);
}

/**
 * Questions asked the way people ask them, over HTTP on the sample corpus: a bare keyword, another
 * language, two questions in one, a sentence two documents share, other words than the sources'.
 */
describe.each(storeKinds())("answers that read the question on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind, { embedder: encoder() });
  });
  afterAll(async () => h?.close());

  async function askOn(on: Harness, question: string): Promise<Answer> {
    const res = await on.post("/v1/answers", { question });
    expect(res.status).toBe(200);
    const answer = (await json(res)) as Answer;
    // What was returned is what was recorded.
    expect(await json(await on.get(`/v1/answers/${answer.id}`))).toEqual(answer);
    return answer;
  }
  const ask = (question: string) => askOn(h, question);

  describe("a keyword is not a question", () => {
    it.each(["plan plan plan plan plan plan plan plan", "Basic", "trash"])(
      "refuses %j for having no question in it",
      async (question) => {
        const answer = await ask(question);
        expectRefusedWithNothing(answer);
        expect(answer.reason!.code).toBe("NO_QUESTION_CONTENT");
        expect(answer.parts).toEqual([]);
      },
    );

    it("answers a question about the same keyword", async () => {
      const answer = await ask("How much does the Basic plan cost?");
      expect(answer.status).toBe("answered");
      expect(answer.citations.some((c) => c.quote.includes("$8 per user per month"))).toBe(true);
    });
  });

  describe("a question in a language the sources are not in", () => {
    it("stores the language of every document it ingested", async () => {
      const versions = await h.deps.db
        .select({ language: documentVersions.language })
        .from(documentVersions)
        .where(isNull(documentVersions.supersededAt));
      expect(versions.length).toBeGreaterThanOrEqual(10);
      expect(new Set(versions.map((v) => v.language))).toEqual(new Set(["en"]));
    });

    it.each([
      ["¿Cuánto cuesta el plan Basic?", "es"],
      ["Wie lange bleiben gelöschte Dateien im Papierkorb?", "de"],
      ["パスワードリセットリンクはどのくらい有効ですか？", "ja"],
    ])("refuses %j, naming its language and the sources'", async (question, language) => {
      const answer = await ask(question);
      expectRefusedWithNothing(answer);
      expect(answer.reason!.code).toBe("UNSUPPORTED_LANGUAGE");
      expect(answer.reason!.bestScore).toBeNull();
      expect(answer.reason!.message).toContain(`"${language}"`);
      expect(answer.reason!.message).toContain("en");
    });

    it("still answers the English question", async () => {
      const answer = await ask("How long does a password reset link stay valid?");
      expect(answer.status).toBe("answered");
      expect(answer.citations.some((c) => c.quote.includes("30 minutes"))).toBe(true);
    });

    it("lets a question through once a document in its language is ingested", async () => {
      const own = await startHarness(kind, { embedder: encoder() });
      onTestFinished(() => own.close());
      await writeFile(
        join(own.dir, "sources", "acme", "handbook", "precios.md"),
        [
          "# Planes y precios",
          "",
          "El plan Basic cuesta 8 dólares por usuario al mes con facturación anual.",
          "El plan Team cuesta 15 dólares por usuario al mes con facturación anual.",
          "Los archivos eliminados se conservan en la papelera durante 30 días en el plan Basic.",
          "",
        ].join("\n"),
      );
      expect((await own.ingest()).files.added).toBe(1);
      const spanish = await askOn(own, "¿Cuánto cuesta el plan Basic?");
      expect(spanish.reason?.code).not.toBe("UNSUPPORTED_LANGUAGE");
      const german = await askOn(own, "Wie lange bleiben gelöschte Dateien im Papierkorb?");
      expect(german.reason?.code).toBe("UNSUPPORTED_LANGUAGE");
    });
  });

  describe("a question asking two things", () => {
    it("answers each part on its own evidence, never citing one sentence for both", async () => {
      const question =
        "What does the Basic plan cost and how long are deleted files kept in the trash on the Basic plan?";
      const answer = await ask(question);
      expect(answer.status).toBe("answered");
      expect(answer.reason).toBeNull();
      expect(answer.parts.map((p) => p.question)).toEqual([
        "What does the Basic plan cost?",
        "how long are deleted files kept in the trash on the Basic plan?",
      ]);
      for (const part of answer.parts) {
        expect(part.status).toBe("answered");
        expect(part.reason).toBeNull();
        expect(part.sentenceIndexes.length).toBeGreaterThan(0);
      }
      const [cost, trash] = answer.parts.map((p) => citationsOfPart(answer, p));
      expect(cost!.some((c) => c.quote.includes("$8 per user per month"))).toBe(true);
      expect(trash!.some((c) => c.quote.includes("30 days"))).toBe(true);
      const costSpans = new Set(cost!.map(spanOf));
      for (const c of trash!) expect(costSpans.has(spanOf(c))).toBe(false);
      // Every sentence belongs to exactly one part, in order, and the answer reads them all.
      expect(answer.parts.flatMap((p) => p.sentenceIndexes)).toEqual(
        answer.sentences.map((_, i) => i),
      );
      expect(answer.answer).toBe(answer.sentences.map((s) => s.text).join(" "));
      expect(answer.support).toBeGreaterThanOrEqual(answer.policy.threshold);
      for (const c of answer.citations)
        expect(c.score).toBeGreaterThanOrEqual(answer.policy.threshold);
    });

    it("answers the part it can and refuses the other: a partial answer", async () => {
      const answer = await ask(
        "How much does the Basic plan cost and what is the capital of France?",
      );
      expect(answer.status).toBe("partial");
      expect(answer.parts).toHaveLength(2);
      const [cost, capital] = answer.parts;
      expect(cost!.status).toBe("answered");
      expect(cost!.reason).toBeNull();
      expect(citationsOfPart(answer, cost!).some((c) => c.quote.includes("$8"))).toBe(true);
      expect(capital!.status).toBe("refused");
      expect(["NO_EVIDENCE", "LOW_SUPPORT"]).toContain(capital!.reason?.code);
      expect(capital!.reason!.message.length).toBeGreaterThan(10);
      expect(capital!.sentenceIndexes).toEqual([]);
      expect(capital!.confidence).toBeNull();
      // The answer holds the answered part only, and says why the rest was refused.
      expect(answer.reason).toEqual(capital!.reason);
      expect(answer.sentences.map((_, i) => i)).toEqual(cost!.sentenceIndexes);
      expect(answer.answer).not.toBeNull();
      expect(answer.support).toBeGreaterThanOrEqual(answer.policy.threshold);
      expect(JSON.stringify(answer.citations)).not.toMatch(/paris/i);
    });

    it("keeps a single question's parts empty", async () => {
      const answer = await ask("How long are deleted files kept in the trash on the Basic plan?");
      expect(answer.status).toBe("answered");
      expect(answer.parts).toEqual([]);
    });
  });

  describe("a sentence two documents state", () => {
    const SENTENCE = "Password reset links stay valid for 30 minutes and can be used only once.";

    it("is one answer sentence citing both documents", async () => {
      const answer = await ask("How long does a password reset link stay valid?");
      expect(answer.status).toBe("answered");
      const stated = answer.sentences.filter((s) => s.text === SENTENCE);
      expect(stated).toHaveLength(1);
      expect(answer.sentences.map((s) => s.text)).toEqual([
        ...new Set(answer.sentences.map((s) => s.text)),
      ]);
      const cited = stated[0]!.citationIds.map((id) => answer.citations.find((c) => c.id === id)!);
      expect(cited.map((c) => c.path).sort()).toEqual([
        "acme/faq/account-faq.html",
        "acme/handbook/security.md",
      ]);
      expect(new Set(cited.map((c) => c.documentId)).size).toBe(2);
      for (const c of cited) {
        expect(c.quote).toBe(SENTENCE);
        const trace = await json(await h.get(`/v1/citations/${c.id}`));
        expect(trace.verification).toEqual({ verified: true, failures: [] });
        expect(trace.document.path).toBe(c.path);
      }
      // The text is said once in the answer, however many sources say it.
      expect(answer.answer!.split(SENTENCE)).toHaveLength(2);
    });
  });

  describe("a question in other words than the sources'", () => {
    it.each([
      // "minimum" is "at least"; "length" is how "long" a password is.
      ["Minimum password length?", "at least 12 characters"],
      // "2FA" is "two-factor authentication" by its initials.
      ["How many backup codes with 2FA?", "10 single-use backup codes"],
    ])("answers %j, citing the sentence that states it", async (question, stated) => {
      const answer = await ask(question);
      expect(answer.status).toBe("answered");
      expect(answer.citations.some((c) => c.quote.includes(stated))).toBe(true);
      for (const c of answer.citations)
        expect(c.score).toBeGreaterThanOrEqual(answer.policy.threshold);
    });
  });

  describe("confidence", () => {
    it("is absent or a probability with the shipped policy, and null for a refusal", async () => {
      const answer = await ask("How much does the Basic plan cost?");
      expect(answer.status).toBe("answered");
      expect(answer).toHaveProperty("confidence");
      if (answer.confidence !== null) {
        expect(answer.confidence).toBeGreaterThanOrEqual(0);
        expect(answer.confidence).toBeLessThanOrEqual(1);
      }
      expect(answer.support).toBeGreaterThanOrEqual(answer.policy.threshold);
      expect(answer.support).toBeLessThanOrEqual(1);
      const refused = await ask("What is the capital of France?");
      expect(refused.status).toBe("refused");
      expect(refused.confidence).toBeNull();
      expect(refused.support).toBeNull();
    });

    describe("with a policy that maps support to a probability", () => {
      let calibrated: Harness;
      beforeAll(async () => {
        calibrated = await startHarness(kind, { embedder: encoder(), policy: CALIBRATED });
      });
      afterAll(async () => calibrated?.close());
      const askCalibrated = (question: string) => askOn(calibrated, question);

      it.each([
        "How much does the Basic plan cost?",
        "What is the maximum size of a single file I can upload?",
        "Is my data encrypted at rest?",
      ])("answers %j with the map applied to its support", async (question) => {
        const answer = await askCalibrated(question);
        expect(answer.status).toBe("answered");
        expect(answer.support).toBeGreaterThanOrEqual(answer.policy.threshold);
        // Support is shown to four decimals; the map was applied to the exact score.
        expect(answer.confidence).toBeCloseTo(mapped(POINTS, answer.support!), 3);
        expect(answer.confidence).toBeGreaterThanOrEqual(0);
        expect(answer.confidence).toBeLessThanOrEqual(1);
        // Support is the weakest answer sentence's, each sentence scored where it is stated best
        // (a copy in another document may score lower: it is cited, not relied on).
        const scoreOf = (id: string) => answer.citations.find((c) => c.id === id)!.score;
        const weakest = Math.min(
          ...answer.sentences.map((s) => Math.max(...s.citationIds.map(scoreOf))),
        );
        expect(answer.support).toBeCloseTo(weakest, 3);
      });

      it("gives a multi-part answer the confidence of its least sure part", async () => {
        const answer = await askCalibrated(
          "How much does the Basic plan cost and what is the maximum size of a single file I can upload?",
        );
        expect(answer.status).toBe("answered");
        expect(answer.parts).toHaveLength(2);
        const confidences = answer.parts.map((p) => p.confidence!);
        for (const c of confidences) {
          expect(c).toBeGreaterThanOrEqual(0);
          expect(c).toBeLessThanOrEqual(1);
        }
        expect(answer.confidence).toBe(Math.min(...confidences));
        expect(answer.confidence).toBeCloseTo(mapped(POINTS, answer.support!), 3);
      });

      it("gives a claim no confidence: the policy maps questions only", async () => {
        const claim = await askCalibrated(
          "The Basic plan costs $8 per user per month, billed annually.",
        );
        expect(claim.status).toBe("answered");
        expect(claim.support).toBeGreaterThanOrEqual(claim.policy.threshold);
        expect(claim.confidence).toBeNull();
      });

      it("gives a refused part, and a refusal, no confidence", async () => {
        const partial = await askCalibrated(
          "How much does the Basic plan cost and what is the capital of France?",
        );
        expect(partial.status).toBe("partial");
        expect(partial.parts[1]!.confidence).toBeNull();
        expect(partial.confidence).toBe(partial.parts[0]!.confidence);
        expect(partial.confidence).toBeCloseTo(mapped(POINTS, partial.support!), 3);

        for (const question of ["What is the capital of France?", "Basic"]) {
          const refused = await askCalibrated(question);
          expect(refused.status).toBe("refused");
          expect(refused.confidence).toBeNull();
          expect(refused.support).toBeNull();
        }
      });
    });
  });
});
