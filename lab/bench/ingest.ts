import { loadManifest } from "../../ingest/manifest.ts";
import { ingestManifest, type IngestSummary } from "../../ingest/pipeline.ts";
import { round } from "../shared/stats.ts";
import type { BenchStore } from "./store.ts";

/** Ingest throughput by stage (eval's record of filling a store is CorpusIngest). */
export type IngestMeasurement = {
  files: number;
  chunks: number;
  chunks_embedded: number;
  chunks_per_s: number;
  /**
   * The other stages alone (load, chunk, persist, index), to compare with a baseline fed stored
   * vectors. Embedding overlaps storing, so the total less embedding would overstate this.
   */
  chunks_per_s_excl_embed: number;
  /** Throughput of the embedding stage alone. */
  embed_chunks_per_s: number;
  total_ms: number;
  load_ms: number;
  chunk_ms: number;
  embed_ms: number;
  persist_ms: number;
  /** Vector index rebuild and save after the run (what `npm run ingest` does last). */
  index_ms: number;
  /** Sources, discovery, hash checks and the BM25 statistics refresh (what the stages leave). */
  other_ms: number;
  reingest: { total_ms: number; files_unchanged: number; chunks_embedded: number };
};

/** Ingest the manifest through the real pipeline, then again unchanged. */
export async function measureIngest(
  store: BenchStore,
  manifestPath: string,
): Promise<IngestMeasurement> {
  const first = await ingestOnce(store, manifestPath);
  const again = await ingestOnce(store, manifestPath);
  const { summary, indexMs } = first;
  const t = summary.timingsMs;
  const totalMs = t.total + indexMs;
  const chunks = summary.chunks.written;
  return {
    files: summary.files.seen,
    chunks,
    chunks_embedded: summary.chunks.embedded,
    chunks_per_s: round((chunks * 1000) / totalMs),
    chunks_per_s_excl_embed: round(
      (chunks * 1000) / Math.max(1, t.load + t.chunk + t.persist + indexMs),
    ),
    embed_chunks_per_s: t.embed > 0 ? round((summary.chunks.embedded * 1000) / t.embed) : 0,
    total_ms: Math.round(totalMs),
    load_ms: Math.round(t.load),
    chunk_ms: Math.round(t.chunk),
    embed_ms: Math.round(t.embed),
    persist_ms: Math.round(t.persist),
    index_ms: Math.round(indexMs),
    // Embedding and storing overlap: their sum can exceed the run's total.
    other_ms: Math.max(0, Math.round(t.total - t.load - t.chunk - t.embed - t.persist)),
    reingest: {
      total_ms: Math.round(again.summary.timingsMs.total + again.indexMs),
      files_unchanged: again.summary.files.unchanged,
      chunks_embedded: again.summary.chunks.embedded,
    },
  };
}

export async function ingestOnce(
  store: BenchStore,
  manifestPath: string,
): Promise<{ summary: IngestSummary; indexMs: number }> {
  const { deps } = store;
  const summary = await ingestManifest({
    db: deps.db,
    embedder: deps.embedder,
    manifest: await loadManifest(manifestPath),
    ingestedBy: "verity-bench",
    onVectorsWritten: deps.index.remember,
  });
  if (summary.files.failed > 0) {
    throw new Error(
      `ingest failed for ${summary.files.failed} files: ${summary.failures[0]?.error}`,
    );
  }
  const t = performance.now();
  await deps.index.refresh();
  return { summary, indexMs: performance.now() - t };
}
