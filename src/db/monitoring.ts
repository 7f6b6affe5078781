import { count, eq, max, sql } from "drizzle-orm";
import type { Database } from "./client.ts";
import {
  auditCheckpoints,
  auditRecords,
  citations,
  documents,
  documentVersions,
  reviews,
  sources,
} from "./schema/index.ts";

/** Recorded citations by the source they quote; every source is listed, uncited ones with 0. */
export async function countCitationsBySource(
  db: Database,
): Promise<{ sourceId: string; n: number }[]> {
  const rows = await db
    .select({ sourceId: sources.id, n: count(citations.id) })
    .from(sources)
    .leftJoin(documents, eq(documents.sourceId, sources.id))
    .leftJoin(documentVersions, eq(documentVersions.documentId, documents.id))
    .leftJoin(citations, eq(citations.versionId, documentVersions.id))
    .groupBy(sources.id);
  return rows.map((r) => ({ sourceId: r.sourceId, n: Number(r.n) }));
}

/** Reviewers' verdicts so far, every verdict listed (0 when none was given). */
export async function countReviewVerdicts(db: Database): Promise<Map<string, number>> {
  const rows = await db
    .select({ verdict: reviews.verdict, n: count() })
    .from(reviews)
    .groupBy(reviews.verdict);
  const counts = new Map<string, number>(reviews.verdict.enumValues.map((v) => [v, 0]));
  for (const r of rows) counts.set(r.verdict, Number(r.n));
  return counts;
}

/**
 * The ledger's size, its Merkle tree size: `seq` runs 0, 1, 2, ... without gaps, so the highest
 * plus one, read from the primary key's index rather than by counting every row.
 */
export async function readLedgerSize(db: Database): Promise<number> {
  const [row] = await db.select({ last: max(auditRecords.seq) }).from(auditRecords);
  return row?.last === null || row?.last === undefined ? 0 : Number(row.last) + 1;
}

/** Seconds since the latest checkpoint was signed, by the database's clock; null while none was. */
export async function readCheckpointAge(db: Database): Promise<number | null> {
  const [row] = await db
    .select({
      age: sql<
        number | null
      >`extract(epoch from (now() - max(${auditCheckpoints.createdAt})))::float8`,
    })
    .from(auditCheckpoints);
  if (row?.age === null || row?.age === undefined) return null;
  // A checkpoint stamped by a clock slightly ahead of the database's is not from the future.
  return Math.max(0, Number(row.age));
}
