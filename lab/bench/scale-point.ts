import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { loadConfig } from "../../src/config.ts";
import { createDeps } from "../../src/deps.ts";
import type { StageBreakdown } from "./breakdown.ts";
import { measureStages } from "./breakdown.ts";
import { ownMemory } from "./child.ts";
import { measureAnswers, type QueryReport } from "./query.ts";

/** Questions whose retrieval steps are timed apart (each is asked once more for that). */
const STAGE_QUESTIONS = 20;

/** What one scale point measured, in the process that served it. */
export type ScaleMeasurement = {
  /** createDeps on the store: reading the corpus, the BM25 index, loading the saved graph. */
  open_ms: number;
  /** The saved vector index could not be used and was rebuilt from the stored vectors. */
  index_rebuilt: string | null;
  indexed_chunks: number;
  query: QueryReport;
  stages: StageBreakdown;
  /** Resident set (MiB): Node and the modules, then after opening the store (after a GC), after answering, and the peak. */
  rss: {
    before_open_mib: number;
    after_open_mib: number;
    after_answers_mib: number;
    peak_mib: number;
    /** V8 heap in use after opening (after a GC); the rest is native memory (graph, PGlite). */
    heap_after_open_mib: number;
  };
};

/**
 * `node --expose-gc --import tsx lab/bench/scale-point.ts --store DIR --questions FILE
 * [--warm-up FILE]`: open a PGlite store as a server does (createDeps from the configuration, the
 * encoder VERITY_ENCODER names), answer the warm-up questions, then ask the questions in FILE
 * (each file a JSON array of strings) one at a time through askQuestion, and print one JSON line
 * of ScaleMeasurement. One process per store, so its memory is that store's.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      store: { type: "string" },
      questions: { type: "string" },
      "warm-up": { type: "string" },
    },
  });
  if (!values.store || !values.questions) throw new Error("--store and --questions are required");
  const readQuestions = async (file: string) =>
    JSON.parse(await readFile(file, "utf8")) as string[];
  const questions = await readQuestions(values.questions);
  const warmUp = values["warm-up"] ? await readQuestions(values["warm-up"]) : [];
  const gc = () => (globalThis as { gc?: () => void }).gc?.();
  gc();
  const beforeOpen = ownMemory().rss_mib;
  // Always the embedded store: a DATABASE_URL in the environment is not this store.
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: undefined,
    VERITY_DATA_DIR: values.store,
    LOG_LEVEL: "warn",
  });
  const t = performance.now();
  const deps = await createDeps(config);
  try {
    const openMs = Math.round(performance.now() - t);
    const searchable = deps.index.current();
    gc();
    const afterOpen = ownMemory().rss_mib;
    const heap = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
    const query = await measureAnswers(deps, questions, warmUp);
    const stages = await measureStages(deps, questions.slice(0, STAGE_QUESTIONS));
    const after = ownMemory();
    const measured: ScaleMeasurement = {
      open_ms: openMs,
      index_rebuilt: searchable.rebuilt ? (searchable.rebuiltBecause ?? "rebuilt") : null,
      indexed_chunks: searchable.index.state.count,
      query,
      stages,
      rss: {
        before_open_mib: beforeOpen,
        after_open_mib: afterOpen,
        after_answers_mib: after.rss_mib,
        peak_mib: after.peak_rss_mib,
        heap_after_open_mib: heap,
      },
    };
    process.stdout.write(`${JSON.stringify(measured)}\n`);
  } finally {
    await deps.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
