import type { Logger } from "pino";
import type { Database } from "../db/client.ts";
import { readCorpusState } from "../db/corpus-state.ts";
import type { Embedder } from "./embedder.ts";
import { openSearchableIndex, type SearchableIndex } from "./index-store.ts";

/** How often a serving process looks for a corpus changed by another process's ingest. */
const FRESHNESS_CHECK_MS = 5_000;

export type IndexHolder = {
  /**
   * The index to search now; never blocks on a rebuild. At most every few seconds it also looks
   * for a corpus change in the background, so a server follows another process's ingest.
   */
  current(): SearchableIndex;
  /** Check now and wait for the rebuild, e.g. right after an in-process ingest. */
  refresh(): Promise<void>;
  /** Wait for a background check to finish, before the database it reads is closed. */
  settle(): Promise<void>;
};

export async function createIndexHolder(options: {
  db: Database;
  dataDir: string;
  embedder: Pick<Embedder, "modelId" | "dimension">;
  logger?: Logger;
}): Promise<IndexHolder> {
  const { db, dataDir, embedder, logger } = options;
  let searchable = await openSearchableIndex(db, dataDir, embedder);
  logger?.info(
    { chunks: searchable.index.state.count, rebuilt: searchable.rebuilt },
    "vector index ready",
  );
  let lastCheck = Date.now();
  let pending: Promise<void> | null = null;

  const refresh = (): Promise<void> => {
    pending ??= (async () => {
      try {
        const state = await readCorpusState(db);
        if (state.fingerprint === searchable.index.state.fingerprint) return;
        searchable = await openSearchableIndex(db, dataDir, embedder);
        logger?.info(
          { chunks: searchable.index.state.count },
          "vector index reloaded after a corpus change",
        );
      } catch (error) {
        // Keep serving from the index we have; the next check tries again.
        logger?.warn({ err: error }, "vector index refresh failed");
      } finally {
        lastCheck = Date.now();
        pending = null;
      }
    })();
    return pending;
  };

  return {
    current() {
      if (Date.now() - lastCheck >= FRESHNESS_CHECK_MS) void refresh();
      return searchable;
    },
    refresh,
    settle: async () => {
      await pending;
    },
  };
}
