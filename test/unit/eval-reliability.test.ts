import { describe, expect, it } from "vitest";
import type { Outcome } from "../../lab/eval/metrics.ts";
import { calibrationPair } from "../../lab/eval/metrics.ts";
import { parseEvalArgs } from "../../lab/eval/options.ts";
import { buildCalibration, reliability } from "../../lab/eval/reliability.ts";
import { buildReport, formatReport, policyThreshold } from "../../lab/eval/report.ts";
import type { EvalRun } from "../../lab/eval/run.ts";
import { Policy } from "../../src/answer/policy.ts";

const outcome = (o: Partial<Outcome> & Pick<Outcome, "id" | "answerable">): Outcome => ({
  goldAnswers: [],
  bestScore: null,
  citations: [],
  selectedScores: [],
  latencyMs: 1,
  ...o,
});

describe("calibrationPair", () => {
  it("labels an answer correct only when answering at its best score cites gold", () => {
    const cited = (gold: boolean, score: number) => ({ quote: "q", score, gold });
    const pair = (o: Partial<Outcome> & Pick<Outcome, "answerable">) =>
      calibrationPair(outcome({ id: "x", ...o }));
    expect(pair({ answerable: true, bestScore: 0.8, citations: [cited(true, 0.8)] })).toEqual({
      score: 0.8,
      correct: true,
    });
    // The gold sentence is only a companion below the best score: not cited at that score.
    const companion = [cited(false, 0.8), cited(true, 0.75)];
    expect(pair({ answerable: true, bestScore: 0.8, citations: companion })?.correct).toBe(false);
    expect(pair({ answerable: false, bestScore: 0.9, citations: [cited(false, 0.9)] })).toEqual({
      score: 0.9,
      correct: false,
    });
    expect(pair({ answerable: true, bestScore: null })).toBeNull();
  });
});

describe("reliability", () => {
  it("bins predictions in tenths and weighs each bin's gap by its share in the ECE", () => {
    const r = reliability([
      { p: 0.05, correct: false },
      { p: 0.15, correct: false },
      { p: 0.95, correct: true },
      { p: 0.95, correct: false },
      { p: 1, correct: true },
    ]);
    expect(r.n).toBe(5);
    expect(r.bins).toHaveLength(10);
    expect(r.bins.map((b) => b.n)).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 3]);
    expect(r.bins[2]).toEqual({ lo: 0.2, hi: 0.3, n: 0, confidence: null, accuracy: null });
    expect(r.bins[9]).toEqual({ lo: 0.9, hi: 1, n: 3, confidence: 0.9667, accuracy: 0.6667 });
    // (1 x 0.05 + 1 x 0.15 + 3 x |2/3 - 2.9/3|) / 5
    expect(r.ece).toBeCloseTo((0.05 + 0.15 + 0.9) / 5, 4);
  });

  it("is 0 over no predictions", () => {
    expect(reliability([])).toMatchObject({ n: 0, ece: 0 });
  });
});

const policyFile = { threshold: 0.7 };
const items = [
  { text: "Who wrote it?", o: { answerable: true, bestScore: 0.9, gold: true } },
  { text: "Where is it?", o: { answerable: false, bestScore: 0.8, gold: false } },
  { text: "When was it?", o: { answerable: true, bestScore: null, gold: false } },
  {
    text: "Aspirin lowers the risk of stroke.",
    o: { answerable: true, bestScore: 0.5, gold: true },
  },
  {
    text: "Statins raise the risk of stroke.",
    o: { answerable: false, bestScore: 0.3, gold: false },
  },
].map(({ text, o }, i) => ({
  text,
  outcome: outcome({
    id: `q${i}`,
    answerable: o.answerable,
    bestScore: o.bestScore,
    citations: o.bestScore === null ? [] : [{ quote: "q", score: o.bestScore, gold: o.gold }],
    selectedScores: o.bestScore === null ? [] : [o.bestScore],
  }),
}));

describe("buildCalibration", () => {
  it("fits one map per form on the scored items and rates the policy's maps where it has them", () => {
    const claimMap = {
      method: "isotonic" as const,
      points: [
        [0.3, 0.2],
        [0.6, 0.8],
      ] as [number, number][],
      fittedOn: "scifact",
      questions: 10,
    };
    const policy = Policy.parse({ ...policyFile, confidence: { claim: claimMap } });
    const c = buildCalibration(items, policy, (form) => `run: ${form}s`);
    expect(c.pairs).toBe(4);
    expect(c.fitted.question).toEqual({
      method: "isotonic",
      points: [
        [0.8, 0],
        [0.9, 1],
      ],
      fittedOn: "run: questions",
      questions: 2,
    });
    expect(c.fitted.claim?.questions).toBe(2);
    expect(c.raw.n).toBe(4);
    // Only the two claims have a policy map: 0.5 -> 0.6 (correct), 0.3 -> 0.2 (wrong).
    expect(c.policy).toMatchObject({ n: 2, ece: 0.3 });
    expect(c.fitted_in_sample.ece).toBe(0);
    expect(buildCalibration(items, Policy.parse(policyFile), () => "").policy).toBeNull();
  });
});

function fakeRun(policy: Policy, only?: "claims"): EvalRun {
  const asked = only ? items.filter((i) => !i.text.endsWith("?")) : items;
  return {
    options: parseEvalArgs(["--dataset", "scifact", "--data", "claims.jsonl"]),
    corpus: {} as EvalRun["corpus"],
    ingest: {} as EvalRun["ingest"],
    policy,
    policyPath: "policy.json",
    verifier: null,
    candidateChunks: 8,
    runs: asked.map(({ text, outcome }) => ({
      question: {
        id: outcome.id,
        question: text,
        answerable: outcome.answerable,
        goldAnswers: [],
        goldDocuments: [],
      },
      outcome,
      cited: [],
      seen: [],
      deep: [],
      invalid: false,
    })),
  };
}

describe("buildReport with a claim threshold", () => {
  it("replays claims at the policy's claim threshold and says so", () => {
    const plain = buildReport(fakeRun(Policy.parse(policyFile)));
    // At 0.7: the first question answered right, the second wrongly; claims refused (one wrongly).
    expect(plain).toMatchObject({ claim_threshold: null, forms: { question: 3, claim: 2 } });
    expect(plain.answerable).toEqual({ n: 3, answered: 1, correct: 1 });
    expect(plain.accuracy).toBeCloseTo(2 / 5);
    expect(formatReport(plain)).not.toContain("claim threshold");

    const own = buildReport(fakeRun(Policy.parse({ ...policyFile, claimThreshold: 0.4 })));
    // The true claim at 0.5 is now answered with gold evidence; the false one at 0.3 refused.
    expect(own.threshold).toBe(0.7);
    expect(own.claim_threshold).toBe(0.4);
    expect(own.answerable).toEqual({ n: 3, answered: 2, correct: 2 });
    expect(own.accuracy).toBeCloseTo(3 / 5);
    expect(own.citations.total).toBe(3);
    // The sweep still holds every input to one threshold.
    expect(own.sweep).toEqual(plain.sweep);
    const text = formatReport(own);
    expect(text).toContain(
      "the 2 claims were replayed at the claim threshold 0.40, the 3 questions at 0.70",
    );
    expect(text).toMatch(/policy \(questions\/claims\) +0\.70\/0\.40 +0\.600/);
    expect(policyThreshold(own)).toBe(0.7);
    expect(text).toMatch(/confidence: 4 scored/);
    expect(text).toMatch(/ECE \(10 bins\): raw support \d\.\d{3} \(4\)/);
  });
});

describe("buildReport of claims only", () => {
  it("states the claim threshold as the policy's, where the sweep plot puts its dot", () => {
    const r = buildReport(fakeRun(Policy.parse({ ...policyFile, claimThreshold: 0.4 }), "claims"));
    expect(r.forms).toEqual({ question: 0, claim: 2 });
    expect(policyThreshold(r)).toBe(0.4);
    expect(r.accuracy).toBe(1);
    const text = formatReport(r);
    expect(text).toMatch(/ {2}policy +0\.40 +1\.000/);
    expect(text).toContain(
      "the 2 claims were replayed at the claim threshold 0.40 (questions' threshold 0.70)",
    );
  });
});
