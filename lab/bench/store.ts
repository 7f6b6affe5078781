import { loadConfig } from "../../src/config.ts";
import { createDeps, type Deps } from "../../src/deps.ts";
import type { Embedder } from "../../src/retrieval/embedder.ts";

export type BenchStore = { deps: Deps; close(): Promise<void> };

/**
 * A PGlite store under `dataDir`, built by the app's own createDeps. The embedder is shared by
 * every store of a run: createDeps leaves an embedder it was given open, and the caller closes it
 * once at the end.
 */
export async function openBenchStore(dataDir: string, embedder: Embedder): Promise<BenchStore> {
  // VERITY_LEXICAL picks where BM25 runs, so both paths can be measured on the same corpus.
  const config = loadConfig({
    VERITY_DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    VERITY_LEXICAL: process.env.VERITY_LEXICAL,
  });
  const deps = await createDeps(config, { embedder });
  return { deps, close: () => deps.close() };
}
