import { index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { sources } from "./sources.ts";

/** A file of a source, identified by its path; its text lives in versions. */
export const documents = pgTable(
  "documents",
  {
    id: text("id").primaryKey(),
    sourceId: text("source_id")
      .notNull()
      .references(() => sources.id),
    path: text("path").notNull(),
    title: text("title").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** Set when the file disappeared from the manifest's globs; its versions stay resolvable. */
    removedAt: timestamp("removed_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("documents_source_path_key").on(t.sourceId, t.path),
    index("documents_source_idx").on(t.sourceId),
  ],
);

export type DocumentRow = typeof documents.$inferSelect;
