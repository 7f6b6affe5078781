import { doublePrecision, integer, pgMaterializedView, text } from "drizzle-orm/pg-core";

/**
 * Document frequency of every lexeme over the chunks of current versions, for BM25's idf.
 * Defined by hand in a custom migration (drizzle-kit cannot express ts_stat) and refreshed by
 * the ingestion pipeline after every run.
 */
export const lexemeStats = pgMaterializedView("lexeme_stats", {
  lexeme: text("lexeme").notNull(),
  df: integer("df").notNull(),
}).existing();

/** Corpus size and mean chunk length (in lexemes) over the same chunks. */
export const corpusStats = pgMaterializedView("corpus_stats", {
  chunkCount: integer("chunk_count").notNull(),
  avgLength: doublePrecision("avg_length").notNull(),
}).existing();
