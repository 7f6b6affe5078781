import { jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** One run of the ingestion pipeline: who ran it, on which manifest, and what it changed. */
export const ingestRuns = pgTable("ingest_runs", {
  id: text("id").primaryKey(),
  manifestPath: text("manifest_path").notNull(),
  ingestedBy: text("ingested_by").notNull(),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp("finished_at", { withTimezone: true }),
  summary: jsonb("summary"),
});

export type IngestRunRow = typeof ingestRuns.$inferSelect;
