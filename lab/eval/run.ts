import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { answerQuestion, type AnswerDeps } from "../../src/answer/compose.ts";
import { loadPolicy, type Policy } from "../../src/answer/policy.ts";
import { roundScore } from "../../src/answer/round.ts";
import { AnswerRequest } from "../../src/answer/schema.ts";
import { loadConfig } from "../../src/config.ts";
import { createDeps } from "../../src/deps.ts";
import { retrieveCandidates } from "../../src/retrieval/retrieve.ts";
import type { Outcome } from "./metrics.ts";
import type { EvalOptions } from "./options.ts";
import { rankDocuments } from "./retrieval-metrics.ts";
import { prepareCorpus } from "../corpora/prepare.ts";
import { selectQuestions } from "../corpora/select.ts";
import { ensureIngested, type CorpusIngest } from "../corpora/store.ts";
import type { EvalQuestion, PreparedCorpus } from "../corpora/types.ts";
import { DEFAULT_TENANT } from "../../src/auth/keys.ts";

/** What one question produced: the replayable outcome plus the documents retrieval ranked. */
export type QuestionRun = {
  question: EvalQuestion;
  outcome: Outcome;
  /** Where each citation (at threshold 0) points, for the per-question details. */
  cited: { sourceId: string; path: string; start: number; end: number; score: number }[];
  /** Documents in the order of the chunks answering was given (policy.candidateChunks). */
  seen: string[];
  /** Documents in the order of the top `retrievalDepth` chunks of the same retrieval. */
  deep: string[];
  /** The question failed the API's request validation (a 400 over HTTP): counted as refused. */
  invalid: boolean;
};

export type EvalRun = {
  options: EvalOptions;
  corpus: PreparedCorpus;
  ingest: CorpusIngest;
  /** The policy in force (its threshold is what the report scores at). */
  policy: Policy;
  policyPath: string;
  verifier: string | null;
  candidateChunks: number;
  runs: QuestionRun[];
};

/**
 * Ingest the dataset into an isolated store through the real pipeline, then ask every selected
 * question through answerQuestion, the code path of POST /v1/answers, at threshold 0 so the
 * refusal decision can be replayed at every threshold. The store is always the embedded PGlite
 * in `options.store`: DATABASE_URL is deliberately not read, so an evaluation never touches a
 * live database.
 */
export async function runEvaluation(
  options: EvalOptions,
  env: Record<string, string | undefined>,
  log: (line: string) => void,
): Promise<EvalRun> {
  const corpus = await prepareCorpus(
    options.dataset === "squad2"
      ? { dataset: "squad2", data: options.data }
      : { dataset: "scifact", data: options.data, corpus: options.corpus! },
  );
  const questions = selectQuestions(corpus.questions, options);
  const store = resolve(options.store);
  await mkdir(store, { recursive: true });
  const config = loadConfig({
    VERITY_POLICY: options.policy ?? env.VERITY_POLICY,
    VERITY_THRESHOLD: env.VERITY_THRESHOLD,
    // Like DATABASE_URL, not read from the environment: each encoder has its own default store.
    VERITY_ENCODER: options.encoder,
    // Where lexical search runs does not change the store: the same one serves both.
    VERITY_LEXICAL: env.VERITY_LEXICAL,
    LOG_LEVEL: env.LOG_LEVEL ?? "warn",
    VERITY_DATA_DIR: store,
  });
  const { policy, verifier } = loadPolicy(config.VERITY_POLICY, {
    threshold: config.VERITY_THRESHOLD,
    targetPrecision: config.VERITY_TARGET_PRECISION,
  });
  // Asked at threshold 0, so the refusal decision can be replayed at every threshold.
  const deps = await createDeps({ ...config, VERITY_THRESHOLD: 0 });
  try {
    const ingest = await ensureIngested(deps, store, corpus, log);
    if (ingest.skipped) log(`ingest: skipped, ${store} already holds this corpus`);
    const runs: QuestionRun[] = [];
    for (const [i, question] of questions.entries()) {
      runs.push(await askOne(deps, question, corpus, options.retrievalDepth));
      if ((i + 1) % 250 === 0) log(`asked ${i + 1}/${questions.length}`);
    }
    return {
      options,
      corpus,
      ingest,
      policy,
      policyPath: config.VERITY_POLICY,
      verifier: verifier?.version ?? null,
      candidateChunks: policy.candidateChunks,
      runs,
    };
  } finally {
    await deps.close();
  }
}

async function askOne(
  deps: AnswerDeps,
  question: EvalQuestion,
  corpus: PreparedCorpus,
  retrievalDepth: number,
): Promise<QuestionRun> {
  const request = AnswerRequest.safeParse({ question: question.question });
  if (!request.success) {
    const outcome: Outcome = {
      id: question.id,
      answerable: question.answerable,
      goldAnswers: question.goldAnswers,
      bestScore: null,
      citations: [],
      selectedScores: [],
      latencyMs: 0,
    };
    return { question, outcome, cited: [], seen: [], deep: [], invalid: true };
  }
  const started = performance.now();
  const { answer, evidence } = await answerQuestion(deps, {
    ...request.data,
    tenant: DEFAULT_TENANT,
  });
  const latencyMs = performance.now() - started;

  const bestScore =
    answer.status === "answered"
      ? Math.max(...answer.citations.map((c) => c.score))
      : (answer.reason?.bestScore ?? null);
  const outcome: Outcome = {
    id: question.id,
    answerable: question.answerable,
    goldAnswers: question.goldAnswers,
    // Evidence that failed verification is refused at any threshold.
    bestScore: answer.reason?.code === "UNVERIFIED_EVIDENCE" ? null : bestScore,
    citations: answer.citations.map((c) => ({
      quote: c.quote,
      score: c.score,
      gold: question.answerable && corpus.isGold(question, c),
      verified: c.verified,
    })),
    selectedScores: evidence.selected.map((s) => roundScore(s.score)),
    latencyMs,
  };
  const seen = rankDocuments(evidence.retrieval.candidates);
  // The same deterministic retrieval, deeper, for the retrieval metrics.
  const deep =
    retrievalDepth === 0
      ? seen
      : rankDocuments(
          (
            await retrieveCandidates(deps, {
              question: request.data.question,
              tenant: DEFAULT_TENANT,
              k: Math.max(retrievalDepth, deps.policy.candidateChunks),
            })
          ).candidates.slice(0, retrievalDepth),
        );
  const cited = answer.citations.map(({ sourceId, path, start, end, score }) => ({
    sourceId,
    path,
    start,
    end,
    score,
  }));
  return { question, outcome, cited, seen, deep, invalid: false };
}
