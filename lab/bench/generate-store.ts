import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { MIGRATIONS_DIR, type Database } from "../../src/db/client.ts";
import { readCorpusState, refreshCorpusStatistics } from "../../src/db/corpus-state.ts";
import * as schema from "../../src/db/schema/index.ts";
import { sources } from "../../src/db/schema/index.ts";
import { indexDir } from "../../src/retrieval/index-store.ts";
import { createRng } from "../../src/rng.ts";
import { bundleOf, writeBundles, type DocumentBundle, type DocumentToStore } from "./bundle.ts";
import { composeChunk, createSentencePool, type SentencePool } from "./compose.ts";
import { composedSourceId, GENERATOR_VERSION, STORE_SEED, type StorePlan } from "./store-plan.ts";
import { startVectorIndexBuilder } from "./vector-index-builder.ts";

/** Chunks per COPY: ~5k rows, ~25 MB of encoded rows. */
const CHUNKS_PER_COPY = 5000;
const CHUNKS_PER_COMPOSED_DOCUMENT = 2;

export type GenerateTimings = {
  /** Migrations, sources, and the binary COPY of every row (fts computed by the database). */
  copy_ms: number;
  /** ANALYZE and the BM25 statistics views. */
  statistics_ms: number;
  /** The worker's own time on the HNSW graph (overlapping the copy) and its save. */
  vector_index_ms: number;
  /** How long the copy and statistics were done before the graph was. */
  vector_index_wait_ms: number;
  total_ms: number;
};

export type Generated = {
  timings: GenerateTimings;
  composedByCorpus: Record<string, number>;
  /** Composed sentences per distinct real sentence (how often each recurs); 0 when none. */
  sentenceReuse: number;
};

/**
 * Fill a new PGlite store under `dataDir` (the layout createDeps opens) as `plan` says, and save
 * the vector index createDeps would otherwise build from the stored vectors, for the corpus state
 * the rows give. A bench-owned PGlite rather than src/db/client's: bulk loading needs the raw
 * client for binary COPY.
 */
export async function generateStore(
  dataDir: string,
  plan: StorePlan,
  options: { vectorOf: (text: string) => Float32Array; log: (message: string) => void },
): Promise<Generated> {
  const { modelId, dimension } = plan.model;
  const started = performance.now();
  const pg = await PGlite.create(join(dataDir, "pglite"));
  const graph = startVectorIndexBuilder(modelId, dimension);
  try {
    const db = drizzle(pg, { schema });
    await migrate(db, { migrationsFolder: MIGRATIONS_DIR });
    if (plan.sources.length > 0) await db.insert(sources).values(plan.sources);
    const generation = `bench-${GENERATOR_VERSION}-${STORE_SEED}-${plan.key}`;
    const rows = { modelId, generation, ingestedBy: "verity-bench" };
    let batch: DocumentBundle[] = [];
    let pending = 0;
    let written = 0;
    const flush = async () => {
      await writeBundles(pg, batch);
      await graph.add(
        batch.flatMap((b) =>
          b.chunks.map((c) => ({ chunkId: c.id, vector: c.embedding as Float32Array })),
        ),
      );
      // Progress every 5% of a large store.
      const step = Math.ceil(plan.size / 20);
      if (
        plan.size >= 100_000 &&
        Math.floor((written + pending) / step) > Math.floor(written / step)
      )
        options.log(`${written + pending}/${plan.size} chunks copied (${elapsedS(started)} s)`);
      written += pending;
      batch = [];
      pending = 0;
    };
    const composed = composedDocuments(plan, options.vectorOf);
    // One document at a time: a million composed chunks are never all in memory.
    for (const documents of [realDocuments(plan, options.vectorOf), composed.documents()]) {
      for (const doc of documents) {
        batch.push(bundleOf(doc, rows));
        pending += doc.chunks.length;
        if (pending >= CHUNKS_PER_COPY) await flush();
      }
    }
    await flush();
    const copied = performance.now();
    const store = db as unknown as Database;
    await refreshCorpusStatistics(store);
    const { fingerprint, chunkCount } = await readCorpusState(store);
    if (chunkCount !== plan.size) throw new Error(`stored ${chunkCount} chunks, not ${plan.size}`);
    const analysed = performance.now();
    options.log(`rows and statistics done (${elapsedS(started)} s); finishing the HNSW graph`);
    const saved = await graph.save(indexDir(dataDir), fingerprint);
    if (saved.count !== plan.size)
      throw new Error(`indexed ${saved.count} vectors, not ${plan.size}`);
    const done = performance.now();
    return {
      timings: {
        copy_ms: Math.round(copied - started),
        statistics_ms: Math.round(analysed - copied),
        vector_index_ms: saved.busy_ms,
        vector_index_wait_ms: Math.round(done - analysed),
        total_ms: Math.round(done - started),
      },
      composedByCorpus: composed.byCorpus,
      sentenceReuse: composed.reuse(),
    };
  } finally {
    await graph.close();
    await pg.close();
  }
}

const elapsedS = (since: number) => ((performance.now() - since) / 1000).toFixed(0);

function* realDocuments(
  plan: StorePlan,
  vectorOf: (text: string) => Float32Array,
): Generator<DocumentToStore> {
  for (const d of plan.real) {
    yield {
      sourceId: d.sourceId,
      path: d.path,
      title: d.title,
      text: d.text,
      chunks: d.chunks.map((c) => ({ start: c.start, end: c.end, vector: vectorOf(c.text) })),
    };
  }
}

/** The plan's composed chunks, two to a document, spread over the composed sources. */
function composedDocuments(plan: StorePlan, vectorOf: (text: string) => Float32Array) {
  const byCorpus: Record<string, number> = {};
  let sentences = 0;
  let pool: SentencePool | null = null;
  function* documents(): Generator<DocumentToStore> {
    if (plan.composedChunks <= 0) return;
    pool = createSentencePool(
      plan.real.flatMap((d) =>
        d.chunks.map((c) => ({ corpus: d.corpus, text: c.text, vector: vectorOf(c.text) })),
      ),
    );
    const rng = createRng(STORE_SEED + 1);
    for (let made = 0, d = 0; made < plan.composedChunks; d++) {
      const n = Math.min(CHUNKS_PER_COMPOSED_DOCUMENT, plan.composedChunks - made);
      let text = "";
      const chunks = Array.from({ length: n }, () => {
        const chunk = composeChunk(pool!, rng);
        byCorpus[chunk.corpus] = (byCorpus[chunk.corpus] ?? 0) + 1;
        sentences += chunk.sentences;
        if (text) text += "\n\n";
        const start = text.length;
        text += chunk.text;
        return { start, end: text.length, vector: chunk.vector };
      });
      made += n;
      const name = `d${String(d).padStart(7, "0")}`;
      yield {
        sourceId: composedSourceId(d),
        path: `composed/${name}.txt`,
        title: `Composed document ${d}`,
        text,
        chunks,
      };
    }
  }
  return {
    documents,
    byCorpus,
    reuse: () => {
      if (!pool) return 0;
      const distinct = [...(pool as SentencePool).byCorpus.values()].reduce(
        (n, c) => n + c.sentences.length,
        0,
      );
      return Math.round((sentences / Math.max(1, distinct)) * 100) / 100;
    },
  };
}
