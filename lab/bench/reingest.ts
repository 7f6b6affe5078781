import { rm } from "node:fs/promises";
import { join } from "node:path";
import { loadScifact } from "../corpora/scifact.ts";
import { writeCorpus } from "../corpora/corpus-files.ts";
import { resolveDataset } from "../shared/datasets.ts";
import { round } from "../shared/stats.ts";
import { createStaticEmbedder } from "../../src/retrieval/static-embedder.ts";
import { ingestOnce } from "./ingest.ts";
import { openBenchStore } from "./store.ts";

/** Unchanged re-ingests timed after the first ingest; the report keeps each and the best. */
const UNCHANGED_RUNS = 3;

/**
 * What "nothing changed" costs at the size of a real source: SciFact's abstracts written as files
 * (5,183 of them, ~20,600 chunks; fewer with `documents`), ingested once into a fresh PGlite
 * store, then ingested again unchanged. The first ingest embeds with the static encoder: an
 * unchanged run embeds nothing, so its encoder does not matter, and USE-lite would spend a
 * minute here on vectors nobody measures. Its persist time is still the real pipeline's.
 */
export type ReingestMeasurement = {
  files: number;
  chunks: number;
  first: {
    total_ms: number;
    embed_ms: number;
    persist_ms: number;
    /** The HNSW graph and lexical index brought up to date after the run. */
    index_ms: number;
    /** Chunks per second of the whole first ingest, index included. */
    chunks_per_s: number;
    /** Chunks per second of the pipeline alone: load, chunk, embed, persist. */
    pipeline_chunks_per_s: number;
  };
  /** Each unchanged run: the pipeline's total plus the index check after it. */
  unchanged_ms: number[];
  /** Chunks of the corpus per second of the fastest unchanged run. */
  unchanged_chunks_per_s: number;
};

export async function measureReingest(
  dir: string,
  options: { documents?: number } = {},
): Promise<ReingestMeasurement> {
  const corpus = await loadScifact(
    resolveDataset("scifactCorpus"),
    resolveDataset("scifactClaims"),
  );
  const files = options.documents ? corpus.files.slice(0, options.documents) : corpus.files;
  const manifestPath = await writeCorpus({ ...corpus, files }, join(dir, "files"));
  // A fresh store: the first ingest must write every chunk for the unchanged runs to mean much.
  await rm(join(dir, "store"), { recursive: true, force: true });
  const embedder = createStaticEmbedder({ documentsOffMainThread: true });
  const store = await openBenchStore(join(dir, "store"), embedder);
  try {
    const first = await ingestOnce(store, manifestPath);
    const chunks = first.summary.chunks.written;
    const firstMs = first.summary.timingsMs.total + first.indexMs;
    const unchanged: number[] = [];
    for (let i = 0; i < UNCHANGED_RUNS; i++) {
      const again = await ingestOnce(store, manifestPath);
      if (again.summary.files.unchanged !== first.summary.files.seen)
        throw new Error("an unchanged re-ingest found changes: the measurement is not of one");
      unchanged.push(Math.round(again.summary.timingsMs.total + again.indexMs));
    }
    return {
      files: first.summary.files.seen,
      chunks,
      first: {
        total_ms: Math.round(firstMs),
        embed_ms: Math.round(first.summary.timingsMs.embed),
        persist_ms: Math.round(first.summary.timingsMs.persist),
        index_ms: Math.round(first.indexMs),
        chunks_per_s: round((chunks * 1000) / firstMs),
        pipeline_chunks_per_s: round((chunks * 1000) / first.summary.timingsMs.total),
      },
      unchanged_ms: unchanged,
      unchanged_chunks_per_s: round((chunks * 1000) / Math.max(1, Math.min(...unchanged))),
    };
  } finally {
    await store.close();
    await embedder.close();
  }
}
