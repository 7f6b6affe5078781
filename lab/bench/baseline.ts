import { HNSWLib } from "@langchain/community/vectorstores/hnswlib";
import { Document } from "@langchain/core/documents";
import type { Embedder } from "../../src/retrieval/embedder.ts";
import { createLangChainEmbeddings } from "./langchain-embeddings.ts";
import type { StoredChunk } from "./chunks.ts";
import { round, timeSequentially, type LatencySummary } from "../shared/stats.ts";

export type BaselineMode = "fromTexts" | "addVectors";

export type BaselineReport = {
  description: string;
  ingest: {
    mode: BaselineMode;
    chunks: number;
    /** Whole build: embedding (fromTexts only) plus the HNSW graph. */
    chunks_per_s: number;
    chunks_per_s_excl_embed: number;
    total_ms: number;
    embed_ms: number;
    index_ms: number;
  };
  query: LatencySummary & { k: number };
};

/**
 * What a user would write instead of Verity: LangChain's HNSWLib store (its defaults: cosine,
 * M 16, efConstruction 200, ef 10) over the same USE-lite embedder and the same chunk texts,
 * then similaritySearch(question, k) per question. No lexical search, no verification, no
 * persistence. "fromTexts" re-embeds every chunk; "addVectors" reuses the vectors Verity stored.
 */
export async function runBaseline(
  embedder: Embedder,
  chunks: StoredChunk[],
  questions: string[],
  options: { mode: BaselineMode; k: number; warmUp: string[] },
): Promise<BaselineReport> {
  let embedMs = 0;
  const timed: Embedder = {
    modelId: embedder.modelId,
    dimension: embedder.dimension,
    embedQuery: (text) => embedder.embedQuery(text),
    close: async () => {}, // the shared embedder is closed by its owner
    async embedDocuments(texts) {
      const t = performance.now();
      const vectors = await embedder.embedDocuments(texts);
      embedMs += performance.now() - t;
      return vectors;
    },
  };
  const embeddings = createLangChainEmbeddings(timed);
  const metadatas = chunks.map((c) => ({ chunkId: c.id }));

  const started = performance.now();
  let store: HNSWLib;
  if (options.mode === "fromTexts") {
    store = await HNSWLib.fromTexts(
      chunks.map((c) => c.text),
      metadatas,
      embeddings,
    );
  } else {
    store = new HNSWLib(embeddings, { space: "cosine", numDimensions: embedder.dimension });
    await store.addVectors(
      chunks.map((c) => Array.from(c.vector)),
      chunks.map((c, i) => new Document({ pageContent: c.text, metadata: metadatas[i]! })),
    );
  }
  const totalMs = performance.now() - started;

  // The same warm-up as Verity's measured answers had (query.ts): other questions, untimed.
  for (const question of options.warmUp) await store.similaritySearch(question, options.k);
  const query = await timeSequentially(questions, (question) =>
    store.similaritySearch(question, options.k),
  );
  return {
    description:
      options.mode === "fromTexts"
        ? "LangChain HNSWLib.fromTexts over createLangChainEmbeddings(USE-lite): re-embeds the same chunk texts"
        : "LangChain HNSWLib.addVectors with the vectors Verity stored for the same chunks (no embedding)",
    ingest: {
      mode: options.mode,
      chunks: chunks.length,
      chunks_per_s: round((chunks.length * 1000) / totalMs),
      chunks_per_s_excl_embed: round((chunks.length * 1000) / Math.max(1, totalMs - embedMs)),
      total_ms: Math.round(totalMs),
      embed_ms: Math.round(embedMs),
      index_ms: Math.round(totalMs - embedMs),
    },
    query: { ...query, k: options.k },
  };
}
