import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createEncoder } from "../../src/retrieval/encoders.ts";
import { createHnsw } from "../../src/retrieval/hnsw.ts";
import { loadIndexFiles } from "../../src/retrieval/vector-index-files.ts";
import { dot } from "../../src/retrieval/vector-math.ts";
import { percentile, round } from "../shared/stats.ts";
import { loadRealCorpora } from "./real-passages.ts";
import { orderQuestions } from "./scale-questions.ts";

const USAGE = `Usage: node --import tsx lab/bench/ann-recall.ts --store DIR [--questions N] [--k 50]
  [--ef 50,64,100,150,200]

How much of the exact top k (by cosine over every stored vector) the saved HNSW graph of a store
finds at each search-time ef, and what each search costs: the figures behind the default ef. The
store is a bench scale store (node_modules/.cache/verity-bench/scale-*) or any data directory; the
questions are the bench's pinned ones, embedded with USE-lite as the server does.`;

/**
 * Recall@k of the approximate search against an exact scan, per ef, over the bench's questions.
 * Retrieval asks the graph for the top 50 chunks and fuses them with BM25's top 50, so what
 * matters is how many of the true 50 nearest it returns, not only the first.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      store: { type: "string" },
      questions: { type: "string", default: "200" },
      k: { type: "string", default: "50" },
      ef: { type: "string", default: "50,64,100,150,200" },
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

  // The graph itself, searched at exactly each ef: the server's search never goes below 4k.
  const loaded = await loadIndexFiles(dir, manifest, () => createHnsw(manifest.dimension));
  if (!loaded.ok) throw new Error(`no usable vector index in ${dir}: ${loaded.reason}`);
  const { hnsw, ids } = loaded;
  const labels = ids.flatMap((id, label) => (id === null ? [] : [label]));
  const vectors = labels.map((label) => Float32Array.from(hnsw.getPoint(label)));
  const exact = queries.map((query) => {
    const scored = vectors.map((v, i) => ({ label: labels[i]!, s: dot(query, v) }));
    scored.sort((a, b) => b.s - a.s);
    return new Set(scored.slice(0, k).map(({ label }) => label));
  });

  console.log(
    `${labels.length} vectors (${manifest.model}, M ${loaded.params.m}), ${queries.length} questions, recall@${k} against an exact scan`,
  );
  console.log("ef    recall@k  worst   search p50 ms  p99 ms");
  for (const ef of efs) {
    hnsw.setEf(ef);
    const search = (query: Float32Array) => hnsw.searchKnn(Array.from(query), k).neighbors;
    for (const query of queries.slice(0, 20)) search(query); // the graph's pages, warm
    const recalls: number[] = [];
    const times: number[] = [];
    queries.forEach((query, q) => {
      const t = performance.now();
      const found = search(query);
      times.push(performance.now() - t);
      recalls.push(found.filter((label) => exact[q]!.has(label)).length / exact[q]!.size);
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

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
