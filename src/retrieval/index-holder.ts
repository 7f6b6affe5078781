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
  /**
   * Check now and wait for the rebuild, e.g. right after an in-process ingest: the index then
   * reflects every change committed before the call.
   */
  refresh(): Promise<void>;
  /** Wait for a background check to finish, before the database it reads is closed. */
  settle(): Promise<void>;
};

export async function createIndexHolder(options: {
  db: Database;
  dataDir: string;
  embedder: Pick<Embedder, "modelId" | "dimension">;
  logger?: Logger;
  /** Keep an in-memory BM25 index beside the vector index (VERITY_LEXICAL=memory). */
  lexical?: boolean;
}): Promise<IndexHolder> {
  const { db, dataDir, embedder, logger } = options;
  const open = () => openSearchableIndex(db, dataDir, embedder, { lexical: options.lexical });
  let searchable = await open();
  logger?.info(
    {
      chunks: searchable.index.state.count,
      rebuilt: searchable.rebuilt,
      // A damaged or missing saved index is rebuilt from the store: say what was wrong with it.
      ...(searchable.rebuiltBecause ? { rebuiltBecause: searchable.rebuiltBecause } : {}),
    },
    "vector index ready",
  );
  let lastCheck = Date.now();
  /** The check in progress, and one queued behind it for a caller that needs a fresh look. */
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;

  const check = async (): Promise<void> => {
    try {
      const state = await readCorpusState(db);
      if (state.fingerprint === searchable.index.state.fingerprint) return;
      // One assignment swaps the index: a search holds the object it read, never half of two.
      searchable = await open();
      logger?.info(
        { chunks: searchable.index.state.count },
        "vector index reloaded after a corpus change",
      );
    } catch (error) {
      // Keep serving from the index we have; the next check tries again.
      logger?.warn({ err: error }, "vector index refresh failed");
    } finally {
      lastCheck = Date.now();
    }
  };
  const startCheck = (): Promise<void> =>
    (running ??= check().finally(() => {
      running = null;
    }));
  // A check already under way may have read the corpus before the caller's last change.
  const refresh = (): Promise<void> =>
    running
      ? (queued ??= running.then(() => {
          queued = null;
          return startCheck();
        }))
      : startCheck();

  return {
    current() {
      if (!running && Date.now() - lastCheck >= FRESHNESS_CHECK_MS) void startCheck();
      return searchable;
    },
    refresh,
    async settle() {
      while (running || queued) await (queued ?? running);
    },
  };
}
