import { startIngestRun } from "../src/db/ingest-runs.ts";
import type { Deps } from "../src/deps.ts";
import { IngestInputError, type Ingestion } from "../src/ingestion/runs.ts";
import type { IngestProgress } from "../src/ingestion/schema.ts";
import type { Database } from "../src/db/client.ts";
import { loadManifest, ManifestError, type LoadedManifest } from "./manifest.ts";
import { findTenantConflicts } from "./persist.ts";
import { ingestManifest, type IngestEvent } from "./pipeline.ts";
import { indexRefresher } from "./refresh-index.ts";
import { removeSource, startRemoval, UnknownSourceError } from "./remove-source.ts";
import { loadSourceText } from "./source-text.ts";

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
    async ingestManifest({ manifestPath, by, tenant }) {
      const loaded = await loadManifest(manifestPath).catch((error: unknown) => {
        throw error instanceof ManifestError
          ? new IngestInputError("manifest", error.message)
          : error;
      });
      const manifest = await ownManifest(deps.db, loaded, tenant);
      const run = await startIngestRun(deps.db, {
        kind: "manifest",
        manifestPath: manifest.path,
        ingestedBy: by,
        tenant,
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
          onVectorsWritten: deps.index.remember,
          signal: shutdown.signal,
        }),
      );
      return run;
    },

    async removeSource({ sourceId, by, tenant }) {
      const run = await startRemoval(deps.db, sourceId, by, tenant).catch((error: unknown) => {
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

    loadSourceText,
  };
}

/**
 * The manifest as `tenant` may ingest it: its sources without a tenant become `tenant`'s; one
 * naming another tenant, or stored under another tenant, is refused (IngestInputError) before
 * any run is recorded.
 */
async function ownManifest(
  db: Database,
  loaded: LoadedManifest,
  tenant: string,
): Promise<LoadedManifest> {
  const foreign = loaded.manifest.sources.filter((s) => s.tenant && s.tenant !== tenant);
  if (foreign.length > 0)
    throw new IngestInputError(
      "manifest",
      `Invalid manifest ${loaded.path}: ` +
        foreign.map((s) => `source ${s.id} names tenant "${s.tenant}"`).join("; ") +
        `; this API key ingests for tenant "${tenant}" only.`,
    );
  const sources = loaded.manifest.sources.map((s) => ({ ...s, tenant }));
  const conflicts = await findTenantConflicts(db, sources);
  if (conflicts.length > 0)
    throw new IngestInputError(
      "manifest",
      `Invalid manifest ${loaded.path}: ` +
        conflicts.map((c) => `source id ${c.id} is another tenant's`).join("; ") +
        ". A source id belongs to one tenant: give the source another id.",
    );
  return { ...loaded, manifest: { ...loaded.manifest, sources } };
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
