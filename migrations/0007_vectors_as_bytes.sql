-- Vectors as their float32 bytes, little-endian (see src/db/schema/vector-column.ts): a real[] is
-- read and written as decimal text, which was most of the cost of storing and loading chunks.
-- float4send gives each value big-endian; its bytes are reversed. ALTER ... USING takes no
-- subquery, so the conversion is a function for the length of this migration.
CREATE FUNCTION "verity_float4le"("v" real[]) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(
    string_agg(
      substring(b from 4 for 1) || substring(b from 3 for 1) || substring(b from 2 for 1) || substring(b from 1 for 1),
      ''::bytea ORDER BY o),
    ''::bytea)
  FROM unnest(v) WITH ORDINALITY AS u(x, o), float4send(x) AS b
$$;--> statement-breakpoint
ALTER TABLE "chunks" ALTER COLUMN "embedding" SET DATA TYPE bytea USING "verity_float4le"("embedding");--> statement-breakpoint
DROP FUNCTION "verity_float4le"(real[]);
