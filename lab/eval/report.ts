import { thresholdFor } from "../../src/answer/policy.ts";
import { percentile, round } from "../shared/stats.ts";
import {
  pickMostAccurate,
  pickMostAccurateAtPrecision,
  type OperatingPoint,
} from "../shared/sweep.ts";
import {
  citationCounts,
  scoreAt,
  sweepOutcomes,
  type Operating,
  type Outcome,
  type Threshold,
} from "./metrics.ts";
import { buildCalibration, formOf, type CalibrationReport, type Form } from "./reliability.ts";
import { scoreRetrieval, type RetrievalScores } from "./retrieval-metrics.ts";
import type { EvalRun } from "./run.ts";

export type Report = {
  dataset: string;
  data: string;
  corpus: string | null;
  selection: { limit: number | null; sample: number | null };
  questions: number;
  answerable: Operating["answerable"];
  unanswerable: Operating["unanswerable"];
  accuracy: number;
  coverage: number;
  answered_precision: number;
  /** At the policy threshold: `total` sentences selected for verification, `verified` that passed. */
  citations: { total: number; verified: number };
  retrieval: RetrievalScores & {
    unit: "paragraph" | "abstract";
    depth_chunks: number;
    answer_candidates: RetrievalScores & { chunks: number };
  };
  latency_ms: { p50: number; p95: number; mean: number };
  threshold: number;
  /** The policy's own threshold for claims, which they were replayed at; null: `threshold`. */
  claim_threshold: number | null;
  /** Questions of each form (isQuestion): claims are held to `claim_threshold` when it is set. */
  forms: Record<Form, number>;
  policy: string;
  /** The answerability verifier's version, or null when the heuristic score was thresholded. */
  verifier: string | null;
  always_refuse_accuracy: number;
  best: Operating;
  best_with_precision_0_9: Operating | null;
  invalid_questions: number;
  ingest: EvalRun["ingest"];
  sweep: OperatingPoint[];
  calibration: CalibrationReport;
};

const PRECISION_FLOOR = 0.9;

/** What a fitted map was fitted on: the run, the form of its items and the score it maps. */
function fittedOn(run: EvalRun, form: Form): string {
  const { dataset, data, limit, sample } = run.options;
  const selection = limit ? `, first ${limit}` : sample ? `, sample of ${sample}` : "";
  const score = run.verifier ? `verifier ${run.verifier} probability` : "heuristic support score";
  return `${dataset} ${data}${selection}: ${form}-form items, ${score}`;
}

export function buildReport(run: EvalRun): Report {
  const outcomes = run.runs.map((r) => r.outcome);
  const texts = new Map<Outcome, string>(run.runs.map((r) => [r.outcome, r.question.question]));
  const threshold = run.policy.threshold;
  // Replayed as served: a claim at the policy's claim threshold, when it has one.
  const atThreshold: Threshold = {
    stated: threshold,
    of: (o) => thresholdFor(run.policy, texts.get(o)!),
  };
  const atPolicy = scoreAt(outcomes, atThreshold);
  const points = sweepOutcomes(outcomes);
  const latencies = run.runs.filter((r) => !r.invalid).map((r) => r.outcome.latencyMs);
  const gold = (r: EvalRun["runs"][number]) => r.question.goldDocuments;
  return {
    dataset: run.options.dataset,
    data: run.options.data,
    corpus: run.options.corpus ?? null,
    selection: { limit: run.options.limit ?? null, sample: run.options.sample ?? null },
    questions: outcomes.length,
    answerable: atPolicy.answerable,
    unanswerable: atPolicy.unanswerable,
    accuracy: atPolicy.accuracy,
    coverage: atPolicy.coverage,
    answered_precision: atPolicy.answered_precision,
    citations: citationCounts(outcomes, atThreshold),
    retrieval: {
      unit: run.options.dataset === "squad2" ? "paragraph" : "abstract",
      depth_chunks: run.options.retrievalDepth || run.candidateChunks,
      ...scoreRetrieval(run.runs.map((r) => ({ ranked: r.deep, gold: gold(r) }))),
      answer_candidates: {
        chunks: run.candidateChunks,
        ...scoreRetrieval(run.runs.map((r) => ({ ranked: r.seen, gold: gold(r) }))),
      },
    },
    latency_ms: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      mean: latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : 0,
    },
    threshold,
    claim_threshold: run.policy.claimThreshold,
    forms: {
      question: run.runs.filter((r) => formOf(r.question.question) === "question").length,
      claim: run.runs.filter((r) => formOf(r.question.question) === "claim").length,
    },
    policy: run.policyPath,
    verifier: run.verifier,
    always_refuse_accuracy: scoreAt(outcomes, Infinity).accuracy,
    // A threshold that answers something; "always refuse" only when none does.
    best: pickMostAccurateAtPrecision(points, 0) ?? pickMostAccurate(points),
    best_with_precision_0_9: pickMostAccurateAtPrecision(points, PRECISION_FLOOR),
    invalid_questions: run.runs.filter((r) => r.invalid).length,
    ingest: run.ingest,
    sweep: points.map(({ threshold, accuracy, coverage, answered_precision }) => ({
      threshold,
      accuracy,
      coverage,
      answered_precision,
    })),
    calibration: buildCalibration(
      run.runs.map((r) => ({ outcome: r.outcome, text: r.question.question })),
      run.policy,
      (form) => fittedOn(run, form),
    ),
  };
}

const f3 = (x: number) => x.toFixed(3);

/** The report as a plain-text table for the terminal. */
export function formatReport(r: Report): string {
  const row = (label: string, p: OperatingPoint, t: string) =>
    `  ${label.padEnd(26)}${t.padStart(9)}${f3(p.accuracy).padStart(10)}${f3(p.answered_precision).padStart(11)}${f3(p.coverage).padStart(10)}`;
  const ret = r.retrieval;
  const cand = ret.answer_candidates;
  const lines = [
    `${r.dataset}: ${r.questions} questions (${r.answerable.n} answerable, ${r.unanswerable.n} unanswerable); scored by ${r.verifier ?? "the heuristic (no verifier)"}`,
    `  ${"".padEnd(26)}${"threshold".padStart(9)}${"accuracy".padStart(10)}${"precision".padStart(11)}${"coverage".padStart(10)}`,
    policyRow(r, row),
    row("best accuracy", r.best, r.best.threshold.toFixed(2)),
    r.best_with_precision_0_9
      ? row(
          `best with precision>=${PRECISION_FLOOR}`,
          r.best_with_precision_0_9,
          r.best_with_precision_0_9.threshold.toFixed(2),
        )
      : `  best with precision>=${PRECISION_FLOOR}: no threshold reaches it`,
    `  ${"always refuse".padEnd(26)}${"-".padStart(9)}${f3(r.always_refuse_accuracy).padStart(10)}${"-".padStart(11)}${f3(0).padStart(10)}`,
    `  at the policy: ${r.answerable.answered} answerable answered, ${r.answerable.correct} correctly; ` +
      `${r.unanswerable.refused}/${r.unanswerable.n} unanswerable refused; ` +
      `citations ${r.citations.verified} verified of ${r.citations.total} selected`,
    `  retrieval (${ret.unit}s, ${ret.questions} questions), top ${ret.depth_chunks} chunks (${ret.mean_documents.toFixed(1)} ${ret.unit}s on average): ` +
      `recall@5 ${f3(ret.recall_at_5)}, recall@10 ${f3(ret.recall_at_10)}, nDCG@10 ${f3(ret.ndcg_at_10)}`,
    `  retrieval as answering saw it, top ${cand.chunks} chunks (${cand.mean_documents.toFixed(1)} ${ret.unit}s): ` +
      `recall@5 ${f3(cand.recall_at_5)}, recall@10 ${f3(cand.recall_at_10)}, nDCG@10 ${f3(cand.ndcg_at_10)}`,
    `  latency p50 ${r.latency_ms.p50.toFixed(1)} ms, p95 ${r.latency_ms.p95.toFixed(1)} ms`,
  ];
  if (r.claim_threshold !== null && r.forms.claim > 0) {
    const questions = r.forms.question
      ? `, the ${r.forms.question} questions at ${r.threshold.toFixed(2)}`
      : ` (questions' threshold ${r.threshold.toFixed(2)})`;
    lines.push(
      `  at the policy, the ${r.forms.claim} claims were replayed at the claim threshold ` +
        `${r.claim_threshold.toFixed(2)}${questions}; the sweep holds every input to one threshold`,
    );
  }
  lines.push(...calibrationLines(r.calibration));
  if (r.invalid_questions > 0) {
    lines.push(`  ${r.invalid_questions} questions failed request validation (counted as refused)`);
  }
  return lines.join("\n");
}

/**
 * The threshold the policy held this run's inputs to: the claims' own when every input is a
 * claim; otherwise the questions' (`forms` and the replay line tell the mix).
 */
export function policyThreshold(r: Report): number {
  return r.claim_threshold !== null && r.forms.question === 0 ? r.claim_threshold : r.threshold;
}

function policyRow(r: Report, row: (label: string, p: OperatingPoint, t: string) => string) {
  const mixed = r.claim_threshold !== null && r.forms.claim > 0 && r.forms.question > 0;
  return mixed
    ? row(
        "policy (questions/claims)",
        r,
        `${r.threshold.toFixed(2)}/${r.claim_threshold!.toFixed(2)}`,
      )
    : row("policy", r, policyThreshold(r).toFixed(2));
}

function calibrationLines(c: CalibrationReport): string[] {
  const ece = (x: { ece: number; n: number }) => `${f3(x.ece)} (${x.n})`;
  const fitted = (["question", "claim"] as const)
    .flatMap((form) => {
      const map = c.fitted[form];
      return map ? [`${form}s ${map.points.length} points on ${map.questions}`] : [];
    })
    .join(", ");
  return [
    `  confidence: ${c.pairs} scored, each correct if answering at its best score cites gold ` +
      "(answering an unanswerable one never is)",
    `    ECE (${c.raw.bins.length} bins): raw support ${ece(c.raw)}, policy confidence ` +
      `${c.policy ? ece(c.policy) : "- (the policy has no map for these)"}, ` +
      `fitted here ${ece(c.fitted_in_sample)} in-sample; isotonic fit: ${fitted || "nothing scored"}`,
  ];
}

/** One JSON line per question, to look into what was cited and retrieved. */
export function detailLines(run: EvalRun): string[] {
  return run.runs.map((r) =>
    JSON.stringify({
      id: r.question.id,
      answerable: r.question.answerable,
      bestScore: r.outcome.bestScore,
      latencyMs: round(r.outcome.latencyMs, 1),
      citations: r.cited.map((c, i) => ({ ...c, gold: r.outcome.citations[i]?.gold ?? false })),
      goldDocuments: r.question.goldDocuments,
      ranked: r.deep.slice(0, 10),
    }),
  );
}
