import { parseArgs } from "node:util";
import { ownMemory } from "./child.ts";
import { generateStore, type GenerateTimings } from "./generate-store.ts";
import { loadRealCorpora } from "./real-passages.ts";
import { chunksByCorpus, planStore } from "./store-plan.ts";
import { readVectorCache, textDigest, vectorCacheFile } from "./vector-cache.ts";

/** What building a store printed: its contents and what the build cost this process. */
export type BuiltStore = {
  chunks: number;
  real_documents: number;
  real_chunks: number;
  real_by_corpus: Record<string, number>;
  composed_chunks: number;
  composed_by_corpus: Record<string, number>;
  sentence_reuse: number;
  timings: GenerateTimings;
  /** The builder process's peak resident set (PGlite, the graph's worker, the composition). */
  peak_rss_mib: number;
};

/**
 * `node --import tsx lab/bench/build-store.ts --size N --key K --model M --dimension D --dir DIR
 * --vectors CACHE_DIR`: build one scale store (started by scale-store.ts, in its own process so
 * its memory is its own). Every real vector must already be in the cache; nothing is embedded.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: "string" },
      key: { type: "string" },
      model: { type: "string" },
      dimension: { type: "string" },
      dir: { type: "string" },
      vectors: { type: "string" },
    },
  });
  const { size, key, model, dimension, dir, vectors } = values;
  if (!size || !key || !model || !dimension || !dir || !vectors)
    throw new Error("--size, --key, --model, --dimension, --dir and --vectors are required");
  const embedding = { modelId: model, dimension: Number(dimension) };
  const plan = planStore(await loadRealCorpora(), Number(size), embedding);
  if (plan.key !== key) throw new Error(`planned store ${plan.key}, asked for ${key}`);
  const cache = await readVectorCache(vectorCacheFile(vectors, embedding), embedding.dimension);
  const vectorOf = (text: string) => {
    const vector = cache.get(textDigest(text).toString("hex"));
    if (!vector) throw new Error(`no cached ${model} vector for a real chunk: embed it first`);
    return vector;
  };
  const log = (message: string) => console.error(message);
  const made = await generateStore(dir, plan, { vectorOf, log });
  const built: BuiltStore = {
    chunks: plan.size,
    real_documents: plan.real.length,
    real_chunks: plan.realChunks,
    real_by_corpus: chunksByCorpus(plan.real),
    composed_chunks: plan.composedChunks,
    composed_by_corpus: made.composedByCorpus,
    sentence_reuse: made.sentenceReuse,
    timings: made.timings,
    peak_rss_mib: ownMemory().peak_rss_mib,
  };
  process.stdout.write(`${JSON.stringify(built)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
