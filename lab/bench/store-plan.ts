import { sha256 } from "../../src/hash.ts";
import type { Embedder } from "../../src/retrieval/embedder.ts";
import { createRng } from "../../src/rng.ts";
import { selectDocuments } from "./compose.ts";
import {
  documentKey,
  type RealCorpora,
  type RealDocument,
  type RealSource,
} from "./real-passages.ts";
import { orderQuestions, pinnedDocuments } from "./scale-questions.ts";

/** Bump when what a store holds changes, so a cached store built by an older generator is not reused. */
export const GENERATOR_VERSION = 3;
export const STORE_SEED = 20_240_601;
const COMPOSED_SOURCE_COUNT = 20;

/** What a store of `size` chunks holds: which real documents, and how many composed chunks. */
export type StorePlan = {
  size: number;
  /** Names the store in the cache: everything that shapes it. */
  key: string;
  model: { modelId: string; dimension: number };
  real: RealDocument[];
  realChunks: number;
  composedChunks: number;
  sources: RealSource[];
  /** Texts whose embedded vectors the store needs: its real chunks, or every real chunk to compose from. */
  textsToEmbed: string[];
};

export const COMPOSED_SOURCES: RealSource[] = Array.from(
  { length: COMPOSED_SOURCE_COUNT },
  (_, i) => ({
    id: composedSourceId(i),
    name: `Composed ${i}`,
    publisher: "verity bench (composed of SQuAD 2.0, SciFact and sample-source sentences)",
    uri: `https://bench.invalid/composed/${i}`,
    license: "CC-BY-SA-4.0 AND ODC-By-1.0",
    trust: "community",
  }),
);

export function composedSourceId(i: number): string {
  return `bench-composed-${String(i % COMPOSED_SOURCE_COUNT).padStart(2, "0")}`;
}

/**
 * The plan for a store of `size` chunks: whole real documents first (those the pinned questions
 * are about, then a seeded sample, or all of them), then composed chunks up to the size.
 */
export function planStore(
  corpora: RealCorpora,
  size: number,
  model: Pick<Embedder, "modelId" | "dimension">,
): StorePlan {
  const pinned = pinnedDocuments(orderQuestions(corpora.questions));
  const candidates = corpora.documents.map((d) => ({
    key: documentKey(d),
    chunks: d.chunks.length,
    doc: d,
  }));
  const real = selectDocuments(candidates, size, pinned, createRng(STORE_SEED)).map((c) => c.doc);
  const realChunks = real.reduce((n, d) => n + d.chunks.length, 0);
  const composedChunks = size - realChunks;
  const used = new Set(real.map((d) => d.sourceId));
  const sources = [
    ...corpora.sources.filter((s) => used.has(s.id)),
    ...(composedChunks > 0 ? COMPOSED_SOURCES : []),
  ];
  const pool = composedChunks > 0 ? corpora.documents : real;
  const corpusDigest = sha256(
    corpora.documents.map((d) => `${documentKey(d)}\u0000${d.text}`).join("\u0001"),
  );
  const key = sha256(
    [
      GENERATOR_VERSION,
      STORE_SEED,
      model.modelId,
      model.dimension,
      size,
      corpusDigest,
      [...pinned].sort().join(","),
    ].join("\n"),
  ).slice(0, 12);
  return {
    size,
    key,
    model: { modelId: model.modelId, dimension: model.dimension },
    real,
    realChunks,
    composedChunks,
    sources,
    textsToEmbed: pool.flatMap((d) => d.chunks.map((c) => c.text)),
  };
}

/** Chunks per corpus of a list of documents. */
export function chunksByCorpus(documents: RealDocument[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of documents) out[d.corpus] = (out[d.corpus] ?? 0) + d.chunks.length;
  return out;
}
