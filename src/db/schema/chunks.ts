import { sql } from "drizzle-orm";
import {
  boolean,
  customType,
  index,
  integer,
  pgTable,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { documentVersions } from "./document-versions.ts";
import { float32Vector } from "./vector-column.ts";

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

/** The text-search configuration shared by the stored column and every query built against it. */
export const FTS_CONFIG = "english";
/** FTS_CONFIG as a literal for hand-written SQL (a literal, not a parameter: plans stay the same). */
export const FTS_CONFIG_SQL = sql.raw(`'${FTS_CONFIG}'`);

/**
 * A sentence-aligned span of a version's text. `text` equals the version text between the
 * offsets; the vector is stored so the ANN index can always be rebuilt from the database.
 */
export const chunks = pgTable(
  "chunks",
  {
    id: text("id").primaryKey(),
    versionId: text("version_id")
      .notNull()
      .references(() => documentVersions.id),
    ordinal: integer("ordinal").notNull(),
    start: integer("start_offset").notNull(),
    end: integer("end_offset").notNull(),
    text: text("text").notNull(),
    sha256: text("sha256").notNull(),
    embeddingModel: text("embedding_model").notNull(),
    embedding: float32Vector("embedding").notNull(),
    /**
     * The text reads like instructions to a model ("ignore previous instructions…"): it is still
     * data, flagged at ingest so citations show it and policy can leave it out.
     */
    suspectedInjection: boolean("suspected_injection").notNull().default(false),
    fts: tsvector("fts")
      .notNull()
      .generatedAlwaysAs(sql`to_tsvector(${FTS_CONFIG_SQL}, "text")`),
  },
  (t) => [
    uniqueIndex("chunks_version_ordinal_key").on(t.versionId, t.ordinal),
    index("chunks_sha256_idx").on(t.sha256),
    index("chunks_fts_idx").using("gin", t.fts),
  ],
);

export type ChunkRow = typeof chunks.$inferSelect;
