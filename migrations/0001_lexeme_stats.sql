-- Corpus statistics for BM25 scoring in Postgres full-text search, over the chunks of current
-- versions of documents that are still present. Refreshed by the ingestion pipeline.
CREATE MATERIALIZED VIEW "lexeme_stats" AS
  SELECT word AS lexeme, ndoc AS df
  FROM ts_stat($$
    SELECT c.fts FROM public.chunks c
    JOIN public.document_versions v ON v.id = c.version_id AND v.superseded_at IS NULL
    JOIN public.documents d ON d.id = v.document_id AND d.removed_at IS NULL
  $$);
--> statement-breakpoint
CREATE UNIQUE INDEX "lexeme_stats_lexeme_key" ON "lexeme_stats" ("lexeme");
--> statement-breakpoint
CREATE MATERIALIZED VIEW "corpus_stats" AS
  SELECT count(*)::integer AS chunk_count,
         coalesce(avg(length(c.fts)), 0)::double precision AS avg_length
  FROM public.chunks c
  JOIN public.document_versions v ON v.id = c.version_id AND v.superseded_at IS NULL
  JOIN public.documents d ON d.id = v.document_id AND d.removed_at IS NULL;
