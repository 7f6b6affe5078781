import { index, integer, pgTable, real, text } from "drizzle-orm/pg-core";
import { answers } from "./answers.ts";
import { chunks } from "./chunks.ts";
import { documentVersions } from "./document-versions.ts";

/** A quote of an answer: an exact span of one stored version, verified before it was returned. */
export const citations = pgTable(
  "citations",
  {
    id: text("id").primaryKey(),
    answerId: text("answer_id")
      .notNull()
      .references(() => answers.id),
    ordinal: integer("ordinal").notNull(),
    chunkId: text("chunk_id")
      .notNull()
      .references(() => chunks.id),
    versionId: text("version_id")
      .notNull()
      .references(() => documentVersions.id),
    start: integer("start_offset").notNull(),
    end: integer("end_offset").notNull(),
    quote: text("quote").notNull(),
    /** Hash of the chunk text at answer time, so later tampering with the chunk is detectable. */
    chunkSha256: text("chunk_sha256").notNull(),
    versionSha256: text("version_sha256").notNull(),
    score: real("score").notNull(),
  },
  (t) => [index("citations_answer_idx").on(t.answerId)],
);

export type CitationRow = typeof citations.$inferSelect;
