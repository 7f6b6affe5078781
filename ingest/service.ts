import { startIngestRun } from "../src/db/ingest-runs.ts";
import type { Deps } from "../src/deps.ts";
import { IngestInputError, type Ingestion } from "../src/ingestion/runs.ts";
import type { IngestProgress } from "../src/ingestion/schema.ts";
import { loadManifest, ManifestError } from "./manifest.ts";
import { ingestManifest, type IngestEvent } from "./pipeline.ts";
import { indexRefresher } from "./refresh-index.ts";
import { removeSource, startRemoval, UnknownSourceError } from "./remove-source.ts";

/** Finished runs whose live progress is kept (the oldest is forgotten first). */
const REMEMBERED_RUNS = 100;

export type IngestionDeps = Pick<Deps, "db" | "embedder" | "index" | "logger">;

/**
 * Ingestion inside the serving process: each run is recorded before the request is answered,
 * then carried out in the background, one at a time (the store's one-running-run index decides,
 * across processes too). Every document is written in its own transaction, so answers given
 * meanwhile see each document whole, old or new; the serving index is refreshed as the run's
 * last step, so answers follow without a restart.
 */
export function createIngestion(deps: IngestionDeps): Ingestion {
  const progress = new Map<string, IngestProgress>();
  const jobs = new Set<Promise<void>>();
  const shutdown = new AbortController();
  const refreshIndex = indexRefresher(deps.index);

  const remember = (runId: string): IngestProgress => {
    const live: IngestProgress = {
      totalFiles: null,
      done: 0,
      added: 0,
      updated: 0,
      unchanged: 0,
      failed: 0,
      lastFile: null,
    };
    progress.set(runId, live);
    for (const old of progress.keys()) {
      if (progress.size <= REMEMBERED_RUNS) break;
      progress.delete(old);
    }
    return live;
  };

  const inBackground = (runId: string, work: Promise<unknown>) => {
    const job = work
      .then(
        () => deps.logger.info({ runId }, "ingest run finished"),
        (error: unknown) =>
          shutdown.signal.aborted
            ? deps.logger.warn({ runId }, "ingest run stopped by shutdown")
            : deps.logger.error({ err: error, runId }, "ingest run failed"),
      )
      .finally(() => jobs.delete(job));
    jobs.add(job);
  };

  return {
    async ingestManifest({ manifestPath, by }) {
      const manifest = await loadManifest(manifestPath).catch((error: unknown) => {
        throw error instanceof ManifestError
          ? new IngestInputError("manifest", error.message)
          : error;
      });
      const run = await startIngestRun(deps.db, {
        kind: "manifest",
        manifestPath: manifest.path,
        ingestedBy: by,
      });
      const live = remember(run.id);
      deps.logger.info({ runId: run.id, manifest: manifest.path, by }, "ingest run started");
      inBackground(
        run.id,
        ingestManifest({
          db: deps.db,
          embedder: deps.embedder,
          manifest,
          ingestedBy: by,
          runId: run.id,
          onEvent: (event) => follow(live, event),
          refreshIndex,
          signal: shutdown.signal,
        }),
      );
      return run;
    },

    async removeSource({ sourceId, by }) {
      const run = await startRemoval(deps.db, sourceId, by).catch((error: unknown) => {
        throw error instanceof UnknownSourceError
          ? new IngestInputError("removeSource", error.message)
          : error;
      });
      deps.logger.info({ runId: run.id, sourceId, by }, "source removal started");
      inBackground(run.id, removeSource(deps.db, sourceId, by, { runId: run.id, refreshIndex }));
      return run;
    },

    progress: (runId) => {
      const live = progress.get(runId);
      return live ? { ...live } : null;
    },

    async close() {
      shutdown.abort(new Error("stopped: the server shut down during the run"));
      await Promise.all(jobs);
    },
  };
}

function follow(live: IngestProgress, event: IngestEvent): void {
  if (event.kind === "start") {
    live.totalFiles = event.totalFiles;
    return;
  }
  live.done += 1;
  live[event.outcome] += 1;
  live.lastFile = event.path;
}
