import { eq } from "drizzle-orm";
import type { Database } from "../src/db/client.ts";
import { refreshCorpusStatistics } from "../src/db/corpus-state.ts";
import { finishIngestRun, startIngestRun } from "../src/db/ingest-runs.ts";
import { sources } from "../src/db/schema/index.ts";
import { markRemoved } from "./persist.ts";

export type RemovalSummary = { runId: string; source: string; removed: string[] };

export class UnknownSourceError extends Error {
  override name = "UnknownSourceError";
}

/**
 * Remove a whole source, as a recorded run: it stops being listed and searched. Its documents and
 * versions stay stored, so old citations still resolve; a manifest listing it again restores it.
 */
export async function removeSource(
  db: Database,
  sourceId: string,
  ingestedBy: string,
): Promise<RemovalSummary> {
  const [known] = await db.select({ id: sources.id }).from(sources).where(eq(sources.id, sourceId));
  if (!known) throw new UnknownSourceError(`No source ${sourceId} is stored.`);
  const run = await startIngestRun(db, { kind: "remove-source", sourceId, ingestedBy });
  try {
    // One transaction: a killed removal leaves the source either whole or wholly removed.
    const removed = await db.transaction(async (tx) => {
      await tx.update(sources).set({ removedAt: new Date() }).where(eq(sources.id, sourceId));
      return markRemoved(tx, sourceId, []);
    });
    await refreshCorpusStatistics(db);
    const summary = { runId: run.id, source: sourceId, removed };
    await finishIngestRun(db, run.id, { status: "finished", summary });
    return summary;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await finishIngestRun(db, run.id, { status: "failed", error: message }).catch(() => {});
    throw error;
  }
}
