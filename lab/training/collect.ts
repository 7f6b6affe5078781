import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { answerQuestion } from "../../src/answer/compose.ts";
import type { Evidence } from "../../src/answer/compose.ts";
import type { FeatureInput } from "../../src/scoring/features.ts";
import { loadConfig } from "../../src/config.ts";
import { createDeps } from "../../src/deps.ts";
import { sha256 } from "../../src/hash.ts";
import type { QueryTerms } from "../../src/retrieval/lexical.ts";
import { prepareCorpus, type CorpusSpec } from "../corpora/prepare.ts";
import { ensureIngested } from "../corpora/store.ts";
import type { EvalQuestion, PreparedCorpus } from "../corpora/types.ts";
import { groupQuestions } from "./groups.ts";
import { DEFAULT_TENANT } from "../../src/auth/keys.ts";

/**
 * Bump when retrieval or sentence scoring changes what a candidate's inputs are, so cached
 * examples are collected again. Feature definitions may change freely: features are recomputed
 * from the cached inputs on every training run.
 */
const COLLECT_FORMAT = 1;

/**
 * One candidate sentence: what its features are computed from (the per-sentence part of
 * FeatureInput, with lexeme sets as arrays), and whether it answers.
 */
export type ExampleSentence = Omit<
  FeatureInput,
  "question" | "query" | "sentenceLexemes" | "sentencePositions" | "chunkLexemes"
> & { chunkId: string; positions: [string, number[]][]; gold: boolean };

/** A question with its heuristic's best candidate sentences, as stored in the example cache. */
export type Example = {
  dataset: string;
  id: string;
  /** Cross-validation group: questions of one group never straddle folds. */
  group: string;
  answerable: boolean;
  question: string;
  query: QueryTerms;
  chunkLexemes: Record<string, string[]>;
  candidates: ExampleSentence[];
};

/** Rebuild the verifier's input for a candidate, as scoreSentences built it at answer time. */
export function featureInput(example: Example, c: ExampleSentence): FeatureInput {
  const positions = new Map(c.positions);
  return {
    question: example.question,
    query: example.query,
    sentence: c.sentence,
    sentenceLexemes: new Set(positions.keys()),
    sentencePositions: positions,
    chunkLexemes: new Set(example.chunkLexemes[c.chunkId] ?? []),
    signals: c.signals,
    heuristicScore: c.heuristicScore,
    sentenceRank: c.sentenceRank,
    bestOtherScore: c.bestOtherScore,
    chunkRank: c.chunkRank,
    lexicalRank: c.lexicalRank,
    lexicalScoreShare: c.lexicalScoreShare,
    denseMargin: c.denseMargin,
  };
}

/**
 * Ask every question of a dataset through answerQuestion (the code path of POST /v1/answers) on
 * the evaluation store, and keep the heuristic's best `depth` distinct sentences with their
 * verifier inputs and gold labels. Cached in the store, keyed by data, corpus and depth.
 */
export async function collectExamples(
  options: CorpusSpec & { store: string },
  depth: number,
  log: (line: string) => void,
): Promise<Example[]> {
  const corpus = await prepareCorpus(options);
  const store = resolve(options.store);
  const cache = join(store, "verifier-examples.json");
  const key = sha256(
    JSON.stringify({ COLLECT_FORMAT, depth, data: sha256(await readFile(options.data, "utf8")) }) +
      corpus.files.map((f) => `${f.path}\0${sha256(f.text)}`).join("\n"),
  );
  if (existsSync(cache)) {
    const cached = JSON.parse(await readFile(cache, "utf8")) as {
      key: string;
      examples: Example[];
    };
    if (cached.key === key) return cached.examples;
  }
  await mkdir(store, { recursive: true });
  // The heuristic policy at threshold 0: every question is scored, whatever its support.
  const deps = await createDeps(
    loadConfig({ VERITY_DATA_DIR: store, LOG_LEVEL: "warn", VERITY_THRESHOLD: "0" }),
  );
  try {
    await ensureIngested(deps, store, corpus, log);
    const groups = groupQuestions(corpus.questions);
    const examples: Example[] = [];
    for (const [i, q] of corpus.questions.entries()) {
      const { evidence } = await answerQuestion(deps, {
        question: q.question,
        tenant: DEFAULT_TENANT,
      });
      examples.push(toExample(corpus, q, groups.get(q.id)!, evidence, depth));
      if ((i + 1) % 500 === 0) log(`${corpus.dataset}: ${i + 1}/${corpus.questions.length} asked`);
    }
    await writeFile(cache, JSON.stringify({ key, examples }));
    return examples;
  } finally {
    await deps.close();
  }
}

function toExample(
  corpus: PreparedCorpus,
  q: EvalQuestion,
  group: string,
  evidence: Evidence,
  depth: number,
): Example {
  const top = evidence.sentences.slice(0, depth);
  const chunkLexemes: Record<string, string[]> = {};
  const candidates = top.map((s): ExampleSentence => {
    const f = evidence.featureInput(s);
    const chunkId = s.candidate.chunkId;
    chunkLexemes[chunkId] ??= [...f.chunkLexemes.keys()];
    return {
      chunkId,
      sentence: s.text,
      positions: [...f.sentencePositions].map(([l, p]) => [l, [...p]]),
      signals: f.signals,
      heuristicScore: f.heuristicScore,
      sentenceRank: f.sentenceRank,
      bestOtherScore: f.bestOtherScore,
      chunkRank: f.chunkRank,
      lexicalRank: f.lexicalRank,
      lexicalScoreShare: f.lexicalScoreShare,
      denseMargin: f.denseMargin,
      gold:
        q.answerable &&
        corpus.isGold(q, {
          sourceId: s.candidate.sourceId,
          path: s.candidate.path,
          start: s.start,
          end: s.end,
          quote: s.text,
        }),
    };
  });
  return {
    dataset: corpus.dataset,
    id: q.id,
    group,
    answerable: q.answerable,
    question: q.question,
    query: evidence.retrieval.query,
    chunkLexemes,
    candidates,
  };
}
