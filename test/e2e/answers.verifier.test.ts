import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Answer } from "../../src/answer/schema.ts";
import { thresholdForPrecision, VerifierModel } from "../../src/scoring/verifier.ts";
import { storeKinds } from "../support/databases.ts";
import { useRealEncoder } from "../support/encoder.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";

const POLICY = new URL("../../policy/verifier.json", import.meta.url).pathname;
const MODEL = VerifierModel.parse(
  JSON.parse(readFileSync(new URL("../../policy/verifier-model.json", import.meta.url), "utf8")),
);
const TARGET = (JSON.parse(readFileSync(POLICY, "utf8")) as { targetPrecision: number })
  .targetPrecision;

const encoder = useRealEncoder();

/** The shipped verifier, switched on by its policy file, answering over HTTP on each store. */
describe.each(storeKinds())("answers scored by the trained verifier on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind, { embedder: encoder(), policy: POLICY });
  });
  afterAll(async () => h?.close());

  async function ask(question: string): Promise<Answer> {
    const res = await h.post("/v1/answers", { question });
    expect(res.status).toBe(200);
    return (await json(res)) as Answer;
  }

  it("thresholds the verifier's probability at its cross-validated operating point", async () => {
    const answer = await ask("How much does the Basic plan cost?");
    expect(answer.policy).toMatchObject({
      verifier: MODEL.version,
      targetPrecision: TARGET,
      threshold: thresholdForPrecision(MODEL, TARGET),
    });
    expect(answer.status).toBe("answered");
    expect(answer.citations[0]!.quote).toContain("$8 per user per month");
    for (const c of answer.citations)
      expect(c.score).toBeGreaterThanOrEqual(answer.policy.threshold);
    // The stored record carries the model version too, unaltered.
    const stored = (await json(await h.get(`/v1/answers/${answer.id}`))) as Answer;
    expect(stored).toEqual(answer);
  });

  it.each([
    ["How long does a password reset link stay valid?", "30 minutes"],
    ["What is the maximum size of a single file I can upload?", "50 GB"],
    ["What monthly uptime percentage does Acme commit to?", "99.9%"],
  ])("answers %j", async (question, expected) => {
    const answer = await ask(question);
    expect(answer.status).toBe("answered");
    expect(answer.citations.some((c) => c.quote.includes(expected))).toBe(true);
  });

  it.each([
    "How much does the Premium plan cost?",
    "How much storage does the Team plan include?",
    "What is Acme's support phone number?",
  ])("refuses the near miss %j below the threshold", async (question) => {
    const answer = await ask(question);
    expect(answer.status).toBe("refused");
    expect(answer.reason?.code).toBe("LOW_SUPPORT");
    expect(answer.reason!.bestScore!).toBeLessThan(answer.policy.threshold);
    expect(answer.reason!.message).toMatch(/verifier probability 0\.\d\d\) is below/);
  });
});
