import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openDatabase } from "../../src/db/client.ts";
import { forEachSearchableChunkPage } from "../../src/db/searchable-corpus.ts";
import { createEncoder } from "../../src/retrieval/encoders.ts";
import { loadVectorIndex } from "../../src/retrieval/vector-index.ts";
import { dot } from "../../src/retrieval/vector-math.ts";
import { percentile, round } from "../shared/stats.ts";
import { loadRealCorpora } from "./real-passages.ts";
import { orderQuestions } from "./scale-questions.ts";

const USAGE = `Usage: node --import tsx lab/bench/ann-recall.ts --store DIR [--questions N] [--k 50]
  [--ef 200,300,400]

How much of the exact top k (by cosine over every vector the store holds, in float32) the saved
vector index of a store finds, searched as the server searches it (the projected graph's
candidates re-ranked with the int8 vectors), at each search-time ef, and what each search costs:
the figures behind the default ef and projection. The store is a bench scale store
(node_modules/.cache/verity-bench/scale-*) or any data directory no process holds; the questions
are the bench's pinned ones, embedded with USE-lite as the server does.`;

/**
 * Recall@k of the index's search against an exact scan, per ef, over the bench's questions.
 * Retrieval asks the index for the top 50 chunks and fuses them with BM25's top 50, so what
 * matters is how many of the true 50 nearest it returns, not only the first.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      store: { type: "string" },
      questions: { type: "string", default: "200" },
      k: { type: "string", default: "50" },
      ef: { type: "string", default: "200,300,400" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help || !values.store) {
    console.log(USAGE);
    return;
  }
  const k = Number(values.k);
  const efs = values.ef.split(",").map(Number);
  const dir = join(values.store, "index");
  const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as {
    model: string;
    dimension: number;
    graphDimension: number;
    M: number;
  };
  const corpora = await loadRealCorpora();
  const questions = orderQuestions(corpora.questions)
    .slice(0, Number(values.questions))
    .map((q) => q.question);
  const embedder = await createEncoder("use-lite", {
    documentsOffMainThread: false,
    queriesOffMainThread: false,
  });
  if (embedder.modelId !== manifest.model) {
    throw new Error(
      `the store's vectors are ${manifest.model}, this encoder's ${embedder.modelId}`,
    );
  }
  const queries: Float32Array[] = [];
  for (const question of questions) queries.push(await embedder.embedQuery(question));
  await embedder.close();

  const exact = await exactTopK(values.store, manifest.model, queries, k);
  console.log(
    `${exact.count} vectors (${manifest.model}, graph ${manifest.graphDimension}-d, M ${manifest.M}), ${queries.length} questions, recall@${k} against an exact scan`,
  );
  console.log("ef    recall@k  worst   search p50 ms  p99 ms");
  for (const ef of efs) {
    const index = await loadVectorIndex(dir, manifest, { efSearch: ef });
    if (!index) throw new Error(`no usable vector index in ${dir}`);
    for (const query of queries.slice(0, 20)) index.search(query, k); // the graph's pages, warm
    const recalls: number[] = [];
    const times: number[] = [];
    queries.forEach((query, q) => {
      const t = performance.now();
      const found = index.search(query, k);
      times.push(performance.now() - t);
      const truth = exact.topK[q]!;
      recalls.push(found.filter((hit) => truth.has(hit.chunkId)).length / truth.size);
    });
    const mean = recalls.reduce((a, b) => a + b, 0) / recalls.length;
    const cells = [
      String(ef).padEnd(5),
      round(mean, 4).toFixed(4).padEnd(9),
      round(Math.min(...recalls), 2)
        .toFixed(2)
        .padEnd(7),
      String(round(percentile(times, 50), 2)).padEnd(14),
      String(round(percentile(times, 99), 2)),
    ];
    console.log(cells.join(" "));
  }
}

/** Each query's exact top k chunk ids, by dot product with every stored vector of `model`. */
async function exactTopK(dataDir: string, model: string, queries: Float32Array[], k: number) {
  // Where createDeps keeps the embedded store in a data directory.
  const store = await openDatabase({ dataDir: join(dataDir, "pglite"), role: "bench:ann" });
  // Per query, the best k so far (kept small: merged and cut at every page).
  let best = queries.map(() => [] as { id: string; s: number }[]);
  let count = 0;
  try {
    await forEachSearchableChunkPage(store.db, { withEmbeddings: true }, (page) => {
      const rows = page.filter((c) => c.model === model && c.embedding);
      count += rows.length;
      best = best.map((kept, q) => {
        const scored = rows.map((c) => ({ id: c.chunkId, s: dot(queries[q]!, c.embedding!) }));
        return [...kept, ...scored].sort((a, b) => b.s - a.s).slice(0, k);
      });
    });
  } finally {
    await store.close();
  }
  return { count, topK: best.map((kept) => new Set(kept.map((hit) => hit.id))) };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
