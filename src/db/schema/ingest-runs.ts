import { sql } from "drizzle-orm";
import { jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/**
 * One run of the ingestion pipeline, or one explicit source removal: who ran it, on which
 * manifest, its state and what it changed. A running run refreshes `heartbeatAt`; one whose
 * heartbeat stopped (a killed process) is marked `aborted` by the next run.
 */
export const ingestRuns = pgTable(
  "ingest_runs",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: ["manifest", "remove-source"] })
      .notNull()
      .default("manifest"),
    /** The manifest ingested; for a removal, null. */
    manifestPath: text("manifest_path"),
    /** The source removed by a removal run. */
    sourceId: text("source_id"),
    ingestedBy: text("ingested_by").notNull(),
    /** The tenant whose caller asked for the run ("default" for the CLI). */
    tenant: text("tenant").notNull().default("default"),
    /** `pid@host` of the process running it: a dead one on this host is known at once. */
    process: text("process"),
    status: text("status", { enum: ["running", "finished", "failed", "aborted"] })
      .notNull()
      .default("running"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    summary: jsonb("summary"),
    error: text("error"),
  },
  // At most one run changes the corpus at a time, whichever process starts it.
  (t) => [
    uniqueIndex("ingest_runs_one_running")
      .on(t.status)
      .where(sql`status = 'running'`),
  ],
);

export type IngestRunRow = typeof ingestRuns.$inferSelect;
