import { and, eq } from "drizzle-orm";
import type { Database } from "../src/db/client.ts";
import { refreshCorpusStatistics } from "../src/db/corpus-state.ts";
import { finishIngestRun, startIngestRun } from "../src/db/ingest-runs.ts";
import { sources, type IngestRunRow } from "../src/db/schema/index.ts";
import type { RemovalSummary } from "../src/ingestion/schema.ts";
import { markRemoved } from "./persist.ts";

export type { RemovalSummary };

export class UnknownSourceError extends Error {
  override name = "UnknownSourceError";
}

/**
 * Record a removal run for a stored source (UnknownSourceError for any other). With `tenant`,
 * the run is that tenant's and another tenant's source is as unknown as a missing one.
 */
export async function startRemoval(
  db: Database,
  sourceId: string,
  ingestedBy: string,
  tenant?: string,
): Promise<IngestRunRow> {
  const [known] = await db
    .select({ id: sources.id })
    .from(sources)
    .where(
      tenant === undefined
        ? eq(sources.id, sourceId)
        : and(eq(sources.id, sourceId), eq(sources.tenant, tenant)),
    );
  if (!known) throw new UnknownSourceError(`No source ${sourceId} is stored.`);
  return startIngestRun(db, { kind: "remove-source", sourceId, ingestedBy, tenant });
}

/**
 * Remove a whole source, as a recorded run: it stops being listed and searched. Its documents and
 * versions stay stored, so old citations still resolve; a manifest listing it again restores it.
 * `runId` is a run already recorded by startRemoval; `refreshIndex` brings the serving index up
 * to date before the run counts as finished.
 */
export async function removeSource(
  db: Database,
  sourceId: string,
  ingestedBy: string,
  options: { runId?: string; refreshIndex?: () => Promise<unknown> } = {},
): Promise<RemovalSummary> {
  const runId = options.runId ?? (await startRemoval(db, sourceId, ingestedBy)).id;
  try {
    // One transaction: a killed removal leaves the source either whole or wholly removed.
    const removed = await db.transaction(async (tx) => {
      await tx.update(sources).set({ removedAt: new Date() }).where(eq(sources.id, sourceId));
      return markRemoved(tx, sourceId, []);
    });
    await refreshCorpusStatistics(db);
    await options.refreshIndex?.();
    const summary = { runId, source: sourceId, removed };
    await finishIngestRun(db, runId, { status: "finished", summary });
    return summary;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await finishIngestRun(db, runId, { status: "failed", error: message }).catch(() => {});
    throw error;
  }
}
