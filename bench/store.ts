import { loadConfig } from "../src/config.ts";
import { createDeps, type Deps } from "../src/deps.ts";
import type { AnswerDeps } from "../src/answer/compose.ts";
import type { Embedder } from "../src/retrieval/embedder.ts";

export type BenchStore = {
  deps: Deps;
  /** What answerQuestion needs, wired exactly as the POST /v1/answers route wires it. */
  answerDeps: AnswerDeps;
  close(): Promise<void>;
};

/**
 * A PGlite store under `dataDir`, built by the app's own createDeps. The embedder is shared by
 * every store of a run, so only the database is closed here (Deps.close would close the
 * embedder too); the caller closes the embedder once at the end.
 */
export async function openBenchStore(dataDir: string, embedder: Embedder): Promise<BenchStore> {
  const config = loadConfig({ VERITY_DATA_DIR: dataDir, LOG_LEVEL: "warn" });
  const deps = await createDeps(config, { embedder });
  return {
    deps,
    // Spread like src/main.ts and the route do, so whatever createDeps adds reaches answerQuestion.
    answerDeps: { ...deps, db: deps.database.db, searchable: deps.index.current },
    close: () => deps.database.close(),
  };
}
