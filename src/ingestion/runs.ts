import type { LoadSourceText } from "../audit/source-files.ts";
import type { Database } from "../db/client.ts";
import { findIngestRun } from "../db/ingest-runs.ts";
import type { IngestRunRow } from "../db/schema/index.ts";
import {
  IngestSummary,
  RemovalSummary,
  type IngestProgress,
  type IngestRun,
  type IngestRunRequest,
} from "./schema.ts";

/**
 * Ingestion as a server offers it: a run is recorded when asked for and carried out in the
 * background of the serving process (on the embedded store, the only process that may write).
 * The pipeline lives in ingest/, which src/ never imports; the composition root (src/main.ts)
 * passes in its implementation (ingest/service.ts).
 */
export type Ingestion = {
  /**
   * Record a run of `tenant` for the manifest at `manifestPath` and start it; its sources without
   * a tenant become `tenant`'s. Throws IngestInputError for a manifest that cannot be read, is
   * invalid or names another tenant's sources, IngestBusyError while another run is live.
   */
  ingestManifest(input: {
    manifestPath: string;
    by: string;
    tenant: string;
  }): Promise<IngestRunRow>;
  /**
   * Record a removal of a stored source of `tenant` and start it; IngestInputError for an
   * unknown one (another tenant's source is unknown).
   */
  removeSource(input: { sourceId: string; by: string; tenant: string }): Promise<IngestRunRow>;
  /** Live progress of a run this process carries out (or did, lately); null for any other. */
  progress(runId: string): IngestProgress | null;
  /** Stop the running job between documents (its run is recorded aborted) and wait for it. */
  close(): Promise<void>;
  /** A file's bytes -> the text ingestion stores for them, for source-file checks. */
  loadSourceText: LoadSourceText;
};

/** The request names something ingestion cannot use; `field` is the request field at fault. */
export class IngestInputError extends Error {
  override name = "IngestInputError";
  constructor(
    readonly field: "manifest" | "removeSource",
    message: string,
  ) {
    super(message);
  }
}

/** Who a run is recorded as when the request does not say. */
export const DEFAULT_RUN_BY = "http";

export const ingestRunPath = (id: string) => `/v1/ingest-runs/${id}`;

/** Start what the request asks for, as `tenant`: a manifest ingest or a source removal. */
export function requestIngestRun(
  deps: { ingestion: Ingestion },
  request: IngestRunRequest,
  tenant: string,
): Promise<IngestRunRow> {
  const by = request.by ?? DEFAULT_RUN_BY;
  return request.manifest !== undefined
    ? deps.ingestion.ingestManifest({ manifestPath: request.manifest, by, tenant })
    : deps.ingestion.removeSource({ sourceId: request.removeSource!, by, tenant });
}

/** A run of `tenant`'s; another tenant's is null, as a missing one. */
export async function readIngestRun(
  deps: { db: Database; ingestion: Ingestion },
  id: string,
  tenant: string,
): Promise<IngestRun | null> {
  const row = await findIngestRun(deps.db, id, tenant);
  return row && describeIngestRun(row, deps.ingestion.progress(id));
}

/** A stored run as a client sees it; the summary, once there, is what progress is read from. */
export function describeIngestRun(row: IngestRunRow, live: IngestProgress | null): IngestRun {
  const summary =
    row.summary == null
      ? null
      : row.kind === "manifest"
        ? IngestSummary.parse(row.summary)
        : RemovalSummary.parse(row.summary);
  const progress =
    row.kind !== "manifest"
      ? null
      : summary && "files" in summary
        ? {
            totalFiles: summary.files.seen,
            done: summary.files.seen,
            added: summary.files.added,
            updated: summary.files.updated,
            unchanged: summary.files.unchanged,
            failed: summary.files.failed,
            lastFile: live?.lastFile ?? null,
          }
        : live;
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    manifest: row.manifestPath,
    sourceId: row.sourceId,
    by: row.ingestedBy,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    progress,
    summary,
    error: row.error,
    links: { self: ingestRunPath(row.id) },
  };
}
