import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { documents } from "./documents.ts";
import { ingestRuns } from "./ingest-runs.ts";

/**
 * One immutable text of a document. Citations point into `text` by character offsets, so a
 * version is never edited: a changed file becomes a new version and this one is superseded.
 */
export const documentVersions = pgTable(
  "document_versions",
  {
    id: text("id").primaryKey(),
    documentId: text("document_id")
      .notNull()
      .references(() => documents.id),
    version: integer("version").notNull(),
    text: text("text").notNull(),
    textSha256: text("text_sha256").notNull(),
    rawSha256: text("raw_sha256").notNull(),
    mediaType: text("media_type").notNull(),
    /** ISO 639-1 code detected from the text at ingest; null when it could not be told. */
    language: text("language"),
    /**
     * What PII redaction at ingest replaced, as offsets into `text` (the redacted text, which is
     * what offsets and hashes refer to); null when redaction was off.
     */
    redactions: jsonb("redactions").$type<{ kind: string; start: number; end: number }[] | null>(),
    byteLength: integer("byte_length").notNull(),
    ingestedAt: timestamp("ingested_at", { withTimezone: true }).notNull().defaultNow(),
    ingestedBy: text("ingested_by").notNull(),
    ingestRunId: text("ingest_run_id").references(() => ingestRuns.id),
    supersededAt: timestamp("superseded_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("document_versions_document_version_key").on(t.documentId, t.version),
    index("document_versions_text_sha256_idx").on(t.textSha256),
  ],
);

export type DocumentVersionRow = typeof documentVersions.$inferSelect;
