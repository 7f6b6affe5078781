import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { answerQuestion, selectSentences, type EvidenceObserver } from "../src/answer/compose.ts";
import { AnswerRequest } from "../src/answer/schema.ts";
import { loadConfig } from "../src/config.ts";
import { createDeps, type Deps } from "../src/deps.ts";
import { retrieveCandidates } from "../src/retrieval/retrieve.ts";
import type { Outcome } from "./metrics.ts";
import type { EvalOptions } from "./options.ts";
import { rankDocuments } from "./retrieval-metrics.ts";
import { loadScifact } from "./scifact.ts";
import { selectQuestions } from "./select.ts";
import { prepareSquad } from "./squad.ts";
import { ensureIngested, type IngestReport } from "./store.ts";
import type { EvalQuestion, PreparedCorpus } from "./types.ts";

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
  /** answerQuestion called the evidence observer (retrieval and scored sentences seen). */
  observed: boolean;
};

export type EvalRun = {
  options: EvalOptions;
  corpus: PreparedCorpus;
  ingest: IngestReport;
  policy: Deps["policy"];
  policyPath: string;
  verifier: string | null;
  candidateChunks: number;
  runs: QuestionRun[];
};

const round4 = (x: number) => Math.round(x * 10000) / 10000;

export async function prepareCorpus(options: EvalOptions): Promise<PreparedCorpus> {
  return options.dataset === "squad2"
    ? prepareSquad(options.data)
    : loadScifact(options.corpus!, options.data);
}

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
  const corpus = await prepareCorpus(options);
  const questions = selectQuestions(corpus.questions, options);
  const store = resolve(options.store);
  await mkdir(store, { recursive: true });
  const config = loadConfig({
    VERITY_POLICY: options.policy ?? env.VERITY_POLICY,
    VERITY_THRESHOLD: env.VERITY_THRESHOLD,
    LOG_LEVEL: env.LOG_LEVEL ?? "warn",
    VERITY_DATA_DIR: store,
  });
  const deps = await createDeps(config);
  try {
    const ingest = await ensureIngested(deps, store, corpus, log);
    if (ingest.skipped) log(`ingest: skipped, ${store} already holds this corpus`);
    const policy = { ...deps.policy, threshold: 0 };
    const answerDeps = { ...deps, db: deps.database.db, searchable: deps.index.current, policy };
    const runs: QuestionRun[] = [];
    for (const [i, question] of questions.entries()) {
      runs.push(await askOne(answerDeps, question, corpus, options.retrievalDepth));
      if ((i + 1) % 250 === 0) log(`asked ${i + 1}/${questions.length}`);
    }
    return {
      options,
      corpus,
      ingest,
      policy: deps.policy,
      policyPath: config.VERITY_POLICY,
      verifier: deps.verifier?.version ?? null,
      candidateChunks: deps.policy.candidateChunks,
      runs,
    };
  } finally {
    await deps.close();
  }
}

type AskDeps = Parameters<typeof answerQuestion>[0];

async function askOne(
  deps: AskDeps,
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
      latencyMs: 0,
    };
    return { question, outcome, cited: [], seen: [], deep: [], invalid: true, observed: false };
  }
  let evidence: Parameters<EvidenceObserver>[0] | undefined;
  const started = performance.now();
  const answer = await answerQuestion(deps, request.data, (e) => (evidence = e));
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
    // Without the observer only the returned citations are known (verified by construction).
    selectedScores: evidence
      ? selectSentences(evidence.scored, deps.policy).map((s) => round4(s.score))
      : undefined,
    latencyMs,
  };
  // The chunks answering was given: from the observer, or (when answerQuestion does not call it)
  // the same deterministic retrieval again, whose first candidateChunks are those chunks.
  const candidateChunks = deps.policy.candidateChunks;
  const again =
    evidence && retrievalDepth === 0
      ? null
      : await retrieveCandidates(deps, {
          question: request.data.question,
          k: Math.max(retrievalDepth, candidateChunks),
        });
  const seenChunks = evidence?.retrieval.candidates ?? again!.candidates.slice(0, candidateChunks);
  const seen = rankDocuments(seenChunks);
  const deep =
    retrievalDepth === 0 ? seen : rankDocuments(again!.candidates.slice(0, retrievalDepth));
  const cited = answer.citations.map(({ sourceId, path, start, end, score }) => ({
    sourceId,
    path,
    start,
    end,
    score,
  }));
  return { question, outcome, cited, seen, deep, invalid: false, observed: evidence !== undefined };
}
