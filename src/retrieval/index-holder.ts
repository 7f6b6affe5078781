import type { Logger } from "pino";
import type { Database } from "../db/client.ts";
import type { Embedder } from "./embedder.ts";
import {
  followCorpus,
  indexDir,
  openSearchableIndex,
  type SearchableIndex,
} from "./index-store.ts";
import { createWrittenVectors, type WrittenVector } from "./written-vectors.ts";

/** How often a serving process looks for a corpus changed by another process's ingest. */
const FRESHNESS_CHECK_MS = 5_000;
/**
 * How often at most a followed graph is saved (a large one is hundreds of MB). The saved graph
 * only shortens the next start (it is brought up to date from the store, never trusted as is),
 * so it may lag; it is saved again when the holder settles at shutdown.
 */
const SAVE_INTERVAL_MS = 60_000;
/**
 * Vectors written by this process held for the next check at most (64 MiB: 32,768 of 512
 * dimensions); older ones are read back from the store.
 */
const WRITTEN_VECTORS_BYTES = 64 * 1024 * 1024;

export type IndexHolder = {
  /**
   * The index to search now; never blocks on a rebuild. At most every few seconds it also looks
   * for a corpus change in the background, so a server follows another process's ingest.
   */
  current(): SearchableIndex;
  /**
   * Check now and wait for the indexes to follow, e.g. right after an in-process ingest: they
   * then reflect every change committed before the call. `reload` names versions to read again
   * from the store whatever the corpus state says (their stored rows were found altered).
   */
  refresh(options?: { reload?: readonly string[] }): Promise<void>;
  /**
   * Vectors this process has just written to the store (their transaction committed): the next
   * check takes them from here instead of reading them back.
   */
  remember(written: readonly WrittenVector[]): void;
  /**
   * Wait for a background check to finish, before the database it reads is closed, and save a
   * graph that followed changes since it was last saved.
   */
  settle(): Promise<void>;
};

export async function createIndexHolder(options: {
  db: Database;
  dataDir: string;
  embedder: Pick<Embedder, "modelId" | "dimension">;
  logger?: Logger;
  /** Keep an in-memory BM25 index beside the vector index (false with VERITY_LEXICAL=sql). */
  lexical?: boolean;
  /**
   * Another process may change the corpus (PostgreSQL): look for its changes every few seconds.
   * An embedded store has one process, which calls refresh after every change it makes; a look
   * there would only hold PGlite's one connection, and the answers waiting on it, for a count
   * of every chunk (~0.3 s at 100k chunks).
   */
  otherWriters?: boolean;
}): Promise<IndexHolder> {
  const { db, dataDir, embedder, logger } = options;
  const written = createWrittenVectors({ maxBytes: WRITTEN_VECTORS_BYTES });
  const open = () =>
    openSearchableIndex(db, dataDir, embedder, { lexical: options.lexical, written });
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
  const withoutVector = searchable.corpus.chunkCount() - searchable.index.state.count;
  if (withoutVector > 0) {
    logger?.warn(
      { chunks: searchable.corpus.chunkCount(), withoutVector, model: embedder.modelId },
      "passages embedded by another encoder are found by BM25 alone until `npm run ingest` re-embeds them",
    );
  }
  let lastCheck = Date.now();
  /** The check in progress, and one queued behind it for a caller that needs a fresh look. */
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;

  /** Changes followed since the graph was last saved. */
  let unsaved = false;
  let lastSave = Date.now();
  // Only ever called inside a check, so no follow changes the graph while it is written.
  const save = async () => {
    unsaved = false;
    lastSave = Date.now();
    await searchable.index.save(indexDir(dataDir));
  };
  const reopen = async () => {
    // One assignment swaps the indexes: a search holds the object it read, never half of two.
    searchable = await open();
    unsaved = false;
  };
  /** Versions a caller asked to load again; taken by the next check. */
  let toReload: string[] = [];
  const check = async (): Promise<void> => {
    const reload = toReload;
    toReload = [];
    try {
      const followed = await followCorpus(db, searchable, embedder, reload, written);
      if (followed.reopen) {
        await reopen();
        logger?.info(
          { chunks: searchable.index.state.count, because: followed.reopen },
          "indexes reopened after a corpus change",
        );
        return;
      }
      if (followed.changed) unsaved = true;
      if (unsaved && Date.now() - lastSave >= SAVE_INTERVAL_MS) await save();
      if (!followed.changed) return;
      logger?.info(
        { chunks: searchable.index.state.count, added: followed.added, removed: followed.removed },
        "indexes followed a corpus change",
      );
    } catch (error) {
      // The indexes no longer match the store (or could not follow it): open them afresh.
      logger?.warn({ err: error }, "indexes could not follow the corpus; reopening them");
      try {
        await reopen();
      } catch (reopenError) {
        // Keep serving from the indexes we have; the next check tries again.
        logger?.warn({ err: reopenError }, "index reopen failed");
      }
    } finally {
      lastCheck = Date.now();
    }
  };
  const startCheck = (): Promise<void> =>
    (running ??= check().finally(() => {
      running = null;
    }));
  const refresh = (options: { reload?: readonly string[] } = {}): Promise<void> => {
    toReload.push(...(options.reload ?? []));
    return checkSoon();
  };
  // A check already under way may have read the corpus before the caller's last change.
  const checkSoon = (): Promise<void> =>
    running
      ? (queued ??= running.then(() => {
          queued = null;
          return startCheck();
        }))
      : startCheck();

  return {
    current() {
      if (options.otherWriters && !running && Date.now() - lastCheck >= FRESHNESS_CHECK_MS)
        void startCheck();
      return searchable;
    },
    refresh,
    remember: (items) => written.remember(items),
    async settle() {
      while (running || queued) await (queued ?? running);
      if (unsaved) {
        running = save()
          .catch((error) => logger?.warn({ err: error }, "saving the vector index failed"))
          .finally(() => (running = null));
        await running;
      }
    },
  };
}
