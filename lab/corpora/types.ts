import type { ChunkSpan } from "../../ingest/chunk.ts";
import type { Manifest } from "../../ingest/manifest.ts";

export const DATASETS = ["squad2", "scifact"] as const;
export type Dataset = (typeof DATASETS)[number];

/** A question of an evaluation set, with what counts as a correct outcome. */
export type EvalQuestion = {
  id: string;
  question: string;
  answerable: boolean;
  /** Texts one of which a cited quote must contain (SQuAD). */
  goldAnswers: string[];
  /** `sourceId:path` of the documents holding the answer, for retrieval metrics. */
  goldDocuments: string[];
  /** `sourceId:path#sentence` of the gold rationale sentences, when the dataset marks them (SciFact). */
  goldSentences?: string[];
};

/** What a citation points at, as far as the judge needs it. */
export type CitedSpan = {
  sourceId: string;
  path: string;
  start: number;
  end: number;
  quote: string;
};

/** One file of a prepared corpus, relative to the corpus folder (the manifest's folder). */
export type CorpusFile = { path: string; text: string };

/**
 * A dataset turned into files and a manifest in memory, so its fingerprint can be compared with
 * the store's before anything is written or ingested.
 */
export type PreparedCorpus = {
  dataset: Dataset;
  manifest: Manifest;
  files: CorpusFile[];
  /** Names the chunking, so a store chunked differently is not mistaken for this corpus. */
  chunking: string;
  chunk?: (text: string) => ChunkSpan[];
  questions: EvalQuestion[];
  /** Whether a citation is gold evidence for the question (an answerable one). */
  isGold(question: EvalQuestion, cited: CitedSpan): boolean;
};
